// User-facing text goes through l10n.t, so the extension can be translated. Checks the sources
// (a message, a progress title or a QuickPick placeholder given as a bare literal is not translatable; an
// l10n.t key that is not a literal is not extractable) and that l10n/bundle.l10n.json is what
// `npm run l10n` (@vscode/l10n-dev export) makes of them now.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import * as l10n from '@vscode/l10n';
import { getL10nPseudoLocalized } from '@vscode/l10n-dev';
import { TreeModel, type BucketNode } from '../../src/views/model';
import { makeTempDir, removeDir } from '../helpers/temp';
import { validateBucketName } from '../../src/objects/names';

const ROOT = path.resolve(__dirname, '../../..');
const SRC = path.join(ROOT, 'src');
const L10N_CLI = path.join(ROOT, 'node_modules/@vscode/l10n-dev/dist/cli.js');

/** Calls whose first argument a user reads. */
const MESSAGE_CALLS = new Set(['showInformationMessage', 'showWarningMessage', 'showErrorMessage', 'setStatusBarMessage']);
/** Calls whose options object (the argument at the index) holds text a user reads, and which of its fields. */
const OPTION_CALLS: Record<string, { arg: number; fields: string[] }> = {
  withProgress: { arg: 0, fields: ['title'] },
  showQuickPick: { arg: 1, fields: ['title', 'placeHolder'] },
  showInputBox: { arg: 0, fields: ['title', 'prompt', 'placeHolder'] },
  showOpenDialog: { arg: 0, fields: ['title', 'openLabel'] },
  showSaveDialog: { arg: 0, fields: ['title', 'saveLabel'] },
};
/** `qp.placeholder = ...` on a QuickPick or InputBox made with createQuickPick/createInputBox. */
const ASSIGNED_FIELDS = new Set(['placeholder', 'prompt']);

export interface Finding {
  file: string;
  line: number;
  text: string;
  problem: string;
}

/** A string a user would read as it is written here: a literal, a template, or a concatenation with one. */
function isBareText(e: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) return isBareText(e.expression);
  // A URL (an example endpoint) reads the same in every language.
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text.trim() !== '' && !/^[a-z][a-z0-9+.-]*:\/\/\S*$/i.test(e.text);
  if (ts.isTemplateExpression(e)) return true;
  if (ts.isConditionalExpression(e)) return isBareText(e.whenTrue) || isBareText(e.whenFalse);
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.PlusToken || e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken))
    return isBareText(e.left) || isBareText(e.right);
  return false;
}

function calleeName(call: ts.CallExpression): string | undefined {
  const c = call.expression;
  if (ts.isPropertyAccessExpression(c)) return c.name.text;
  if (ts.isIdentifier(c)) return c.text;
  return undefined;
}

/** `vscode.l10n.t(...)` or `l10n.t(...)` (from @vscode/l10n). */
function isL10nCall(call: ts.CallExpression): boolean {
  const c = call.expression;
  if (!ts.isPropertyAccessExpression(c) || c.name.text !== 't') return false;
  const owner = c.expression;
  return (ts.isIdentifier(owner) && owner.text === 'l10n') || (ts.isPropertyAccessExpression(owner) && owner.name.text === 'l10n');
}

function optionField(obj: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === name) return p.initializer;
  }
  return undefined;
}

/** What in one source file shows untranslated text, or asks l10n.t for a key export cannot see. */
export function findUntranslated(file: string, source: string): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Finding[] = [];
  const report = (node: ts.Node, problem: string) =>
    out.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text: node.getText(sf).slice(0, 100), problem });
  const check = (e: ts.Expression | undefined, what: string) => {
    if (e && isBareText(e)) report(e, `${what} is not passed through l10n.t`);
  };
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) {
      const name = calleeName(node);
      if (isL10nCall(node)) {
        const key = node.arguments[0];
        const literal = key && (ts.isStringLiteral(key) || ts.isNoSubstitutionTemplateLiteral(key) || ts.isObjectLiteralExpression(key));
        if (!literal) report(node, 'l10n.t needs a literal message: export cannot extract anything else');
      } else if (name && MESSAGE_CALLS.has(name)) {
        node.arguments.forEach((a, i) => {
          if (ts.isObjectLiteralExpression(a)) check(optionField(a, 'detail'), `${name} detail`);
          else check(a, i === 0 ? `${name} message` : `${name} button`);
        });
      } else if (name && OPTION_CALLS[name]) {
        const { arg, fields } = OPTION_CALLS[name];
        const opts = node.arguments[arg];
        if (opts && ts.isObjectLiteralExpression(opts)) for (const f of fields) check(optionField(opts, f), `${name} ${f}`);
      }
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left) && ASSIGNED_FIELDS.has(node.left.name.text)) {
      check(node.right, `${node.left.name.text} =`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => path.join(dir, f))
    .sort();
}

test('the checker finds bare literals and non-literal keys (it can fail)', () => {
  const bad = [
    "vscode.window.showInformationMessage('Plain text');",
    'vscode.window.showErrorMessage(`Cannot open ${uri}`);',
    "vscode.window.showWarningMessage(vscode.l10n.t('Delete?'), { modal: true, detail: 'Gone for good.' }, 'Delete');",
    "vscode.window.withProgress({ location: 1, title: 'Working…' }, work);",
    "vscode.window.showQuickPick(items, { title: vscode.l10n.t('T'), placeHolder: ok ? 'Which one?' : other });",
    "qp.placeholder = 'Listing…';",
    'vscode.l10n.t(label);',
  ].join('\n');
  const found = findUntranslated('bad.ts', bad);
  assert.deepEqual(
    found.map((f) => [f.line, f.problem]),
    [
      [1, 'showInformationMessage message is not passed through l10n.t'],
      [2, 'showErrorMessage message is not passed through l10n.t'],
      [3, 'showWarningMessage detail is not passed through l10n.t'],
      [3, 'showWarningMessage button is not passed through l10n.t'],
      [4, 'withProgress title is not passed through l10n.t'],
      [5, 'showQuickPick placeHolder is not passed through l10n.t'],
      [6, 'placeholder = is not passed through l10n.t'],
      [7, 'l10n.t needs a literal message: export cannot extract anything else'],
    ],
  );
  const good = [
    "vscode.window.showInformationMessage(vscode.l10n.t('Copied {0}', uri), showLog);",
    "vscode.window.showErrorMessage(message, { modal: true, detail: l10n.t('Gone.') });",
    "vscode.window.withProgress({ location: 1, title }, work);",
    "vscode.window.showInputBox({ title, placeHolder: 'http://10.10.0.1:51080' });",
    "qp.placeholder = vscode.l10n.t('{0} matches', n);",
  ].join('\n');
  assert.deepEqual(findUntranslated('good.ts', good), []);
});

test('no user-facing text in src/ bypasses l10n.t', () => {
  const findings = sourceFiles(SRC).flatMap((f) => findUntranslated(path.relative(ROOT, f), fs.readFileSync(f, 'utf8')));
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line}: ${f.problem}: ${f.text}`),
    [],
    'wrap these in vscode.l10n.t (or l10n.t from @vscode/l10n outside the vscode glue), then run `npm run l10n`',
  );
});

test('l10n/bundle.l10n.json is what `npm run l10n` makes of src/ now', () => {
  const tmp = makeTempDir('l10n');
  try {
    execFileSync(process.execPath, [L10N_CLI, 'export', '-o', tmp, 'src'], { cwd: ROOT, stdio: 'pipe' });
    const fresh = fs.readFileSync(path.join(tmp, 'bundle.l10n.json'), 'utf8');
    const committed = fs.readFileSync(path.join(ROOT, 'l10n/bundle.l10n.json'), 'utf8');
    assert.equal(committed, fresh, 'l10n/bundle.l10n.json is stale: run `npm run l10n` and commit it');
    const bundle = JSON.parse(committed) as Record<string, string>;
    // Keys are the runtime strings: escapes are resolved, placeholders kept.
    assert.equal(bundle['Uploading {0} files to {1}'], 'Uploading {0} files to {1}');
    assert.ok(Object.keys(bundle).some((k) => k.includes('\n')), 'a key with a newline is stored as the newline itself');
  } finally {
    removeDir(tmp);
  }
});

test('l10n/bundle.l10n.qps-ploc.json is the pseudo-translation of the bundle (for checks with the pseudo language pack)', () => {
  const english = JSON.parse(fs.readFileSync(path.join(ROOT, 'l10n/bundle.l10n.json'), 'utf8')) as Record<string, string>;
  const pseudo = JSON.parse(fs.readFileSync(path.join(ROOT, 'l10n/bundle.l10n.qps-ploc.json'), 'utf8')) as Record<string, string>;
  assert.deepEqual(pseudo, getL10nPseudoLocalized(english), 'stale: run `npm run l10n` and commit l10n/');
});

test('the vscode-free layers translate through @vscode/l10n with the bundle the extension hands them', () => {
  const pseudo = JSON.parse(fs.readFileSync(path.join(ROOT, 'l10n/bundle.l10n.qps-ploc.json'), 'utf8')) as Record<string, string>;
  const bucket: BucketNode = { type: 'bucket', clusterName: 'c', bucket: { name: 'b', provider: 'ais' } };
  const model = new TreeModel({ clusters: async () => [], client: async () => Promise.reject(new Error('not used')) });
  l10n.config({ contents: pseudo }); // what activate() does with vscode.l10n.bundle
  try {
    assert.notEqual(pseudo['Enter a bucket name.'], 'Enter a bucket name.');
    assert.equal(validateBucketName(''), pseudo['Enter a bucket name.']);
    assert.equal(validateBucketName('a b'), pseudo['"{0}" is not allowed in a bucket name: use letters, digits, "-", "_" and ".".'].replace('{0}', ' '));
    const more = model.item({ type: 'loadMore', parent: bucket, loaded: 7 });
    assert.equal(more.label, pseudo['Load more…']);
    assert.equal(more.description, pseudo['{0} shown'].replace('{0}', '7'));
  } finally {
    l10n.config({ contents: {} });
  }
  // Without a bundle (English): the English text, placeholders filled in.
  assert.equal(validateBucketName(''), 'Enter a bucket name.');
  assert.equal(model.item({ type: 'loadMore', parent: bucket, loaded: 7 }).description, '7 shown');
});

test('the manifest points VS Code at the bundle', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { l10n?: string; scripts: Record<string, string> };
  assert.equal(manifest.l10n, './l10n');
  assert.match(manifest.scripts.l10n, /vscode-l10n-dev export -o l10n src/);
  assert.ok(fs.existsSync(path.join(ROOT, manifest.l10n, 'bundle.l10n.json')));
});
