// The bucket properties page as HTML: the sections of bucketprops.ts as tables, the checksum editable in
// place, buttons for Show Raw JSON and Refresh. Pure (no vscode): the webview glue in
// src/views/bucketprops.ts hands in the nonce. Colours are VS Code's theme
// variables only, so light, dark and high-contrast themes all read; nothing is loaded from anywhere.
import * as l10n from '@vscode/l10n';
import type { ChecksumConf } from '../client/cluster';
import { CHECKSUM_FLAGS, checksumChoices, checksumFlagText, fullChecksum, type PropSection } from './bucketprops';

/** What the page posts to the extension. */
export type PageMessage = { type: 'save'; checksum: Required<ChecksumConf> } | { type: 'raw' } | { type: 'refresh' };

export interface PageState {
  /** ais://photos */
  bucketUri: string;
  /** "e2e": the cluster, named under the title. */
  clusterName: string;
  sections: PropSection[];
  /** The checksum as it is now, when it can be changed here (AIStore clusters). */
  checksum?: ChecksumConf;
  /** A line at the top: what the last action did, or why the page could not load. */
  banner?: { kind: 'info' | 'error'; text: string };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function table(section: PropSection): string {
  const rows = section.rows
    .map((r) => `<tr data-id="${escapeHtml(r.id)}"><th scope="row">${escapeHtml(r.label)}</th><td class="value">${escapeHtml(r.value)}</td><td class="explain">${escapeHtml(r.explanation)}</td></tr>`)
    .join('');
  return `<table aria-labelledby="h-${escapeHtml(section.id)}"><thead><tr><th scope="col">${escapeHtml(l10n.t('Setting'))}</th><th scope="col">${escapeHtml(l10n.t('Value'))}</th><th scope="col">${escapeHtml(l10n.t('What it means'))}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function checksumForm(c: ChecksumConf): string {
  const full = fullChecksum(c)!;
  const current = l10n.t('(current)');
  const options = checksumChoices(full.type)
    .map((o) => `<option value="${escapeHtml(o.value)}"${o.current ? ' selected' : ''}>${escapeHtml(o.current ? `${o.value} ${current}` : o.value)} — ${escapeHtml(o.detail)}</option>`)
    .join('');
  const flags = CHECKSUM_FLAGS.map((f) => {
    const t = checksumFlagText(f);
    return `<div class="flag"><input type="checkbox" id="flag-${f}" name="${f}"${full[f] ? ' checked' : ''}><label for="flag-${f}">${escapeHtml(t.label)}</label><div class="explain" id="flag-${f}-d">${escapeHtml(t.detail)}</div></div>`;
  }).join('');
  return `<form id="checksum-form" class="editor" aria-labelledby="h-checksum">
<div class="field"><label for="checksum-type">${escapeHtml(l10n.t('Checksum type for new objects'))}</label><select id="checksum-type" name="type">${options}</select>
<div class="explain">${escapeHtml(l10n.t('Computed for every object written; stored with it and returned on reads.'))}</div></div>
<fieldset><legend>${escapeHtml(l10n.t('When to verify checksums'))}</legend>${flags}</fieldset>
<div class="buttons"><button type="submit" id="save" disabled>${escapeHtml(l10n.t('Save'))}</button><button type="button" id="reset" class="secondary" disabled>${escapeHtml(l10n.t('Undo Changes'))}</button></div>
</form>`;
}

const CSS = `
body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 20px 24px; max-width: 1100px; }
h1 { font-size: 1.5em; font-weight: 600; margin: 16px 0 2px; }
h2 { font-size: 1.15em; font-weight: 600; margin: 24px 0 4px; padding-bottom: 4px; border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-panel-border, transparent)); }
h3 { font-size: 1em; font-weight: 600; margin: 12px 0 6px; }
.sub, .note, .explain { color: var(--vscode-descriptionForeground); }
.note { margin: 4px 0 8px; }
.toolbar { display: flex; gap: 8px; margin: 12px 0; flex-wrap: wrap; }
table { border-collapse: collapse; width: 100%; margin: 4px 0; }
th, td { text-align: left; vertical-align: top; padding: 5px 12px 5px 0; border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-editorGroup-border, transparent)); }
thead th { font-weight: 600; color: var(--vscode-descriptionForeground); font-size: 0.9em; }
tbody th { font-weight: normal; width: 26%; }
td.value { font-family: var(--vscode-editor-font-family); width: 24%; word-break: break-word; }
.banner { padding: 8px 12px; margin: 12px 0; border: 1px solid var(--vscode-contrastBorder, transparent); border-left: 4px solid var(--vscode-focusBorder); background: var(--vscode-textBlockQuote-background, transparent); }
.banner.error { border-left-color: var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground)); background: var(--vscode-inputValidation-errorBackground, transparent); }
.editor { margin: 12px 0 4px; padding: 8px 12px 12px; border: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, var(--vscode-panel-border, transparent))); }
.field { display: flex; flex-direction: column; gap: 4px; margin-bottom: 10px; max-width: 560px; }
select { color: var(--vscode-dropdown-foreground); background: var(--vscode-dropdown-background); border: 1px solid var(--vscode-dropdown-border, var(--vscode-contrastBorder, transparent)); padding: 4px; font: inherit; }
fieldset { border: none; margin: 0 0 8px; padding: 0; }
legend, .field > label { padding: 0; margin-bottom: 4px; font-weight: 600; }
.flag { display: grid; grid-template-columns: auto 1fr; column-gap: 8px; margin: 4px 0; }
.flag .explain { grid-column: 2; font-size: 0.95em; }
input[type=checkbox] { accent-color: var(--vscode-checkbox-background, var(--vscode-button-background)); margin: 2px 0 0; }
button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: 1px solid var(--vscode-button-border, var(--vscode-contrastBorder, transparent)); padding: 4px 12px; font: inherit; cursor: pointer; }
button:hover:not(:disabled) { background: var(--vscode-button-hoverBackground); }
button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
button.secondary:hover:not(:disabled) { background: var(--vscode-button-secondaryHoverBackground); }
button:disabled { opacity: 0.5; cursor: default; }
.buttons { display: flex; gap: 8px; }
:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
@media (max-width: 640px) { thead { display: none; } tr { display: block; padding: 6px 0; border-bottom: 1px solid var(--vscode-widget-border, transparent); } th, td { display: block; border: none; width: auto !important; padding: 1px 0; } }
`;

// Runs in the webview: posts Save / Show Raw JSON / Refresh; Save is enabled once the form differs.
const SCRIPT = `
const vscode = acquireVsCodeApi();
const form = document.getElementById('checksum-form');
document.getElementById('raw').addEventListener('click', () => vscode.postMessage({ type: 'raw' }));
document.getElementById('refresh').addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
if (form) {
  const flags = ${JSON.stringify(CHECKSUM_FLAGS)};
  const read = () => { const c = { type: form.elements.type.value }; for (const f of flags) c[f] = form.elements[f].checked; return c; };
  const initial = JSON.stringify(read());
  const save = document.getElementById('save');
  const reset = document.getElementById('reset');
  const update = () => { const changed = JSON.stringify(read()) !== initial; save.disabled = !changed; reset.disabled = !changed; };
  form.addEventListener('change', update);
  reset.addEventListener('click', () => { form.reset(); update(); });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    save.disabled = true;
    save.textContent = ${JSON.stringify('__SAVING__')};
    vscode.postMessage({ type: 'save', checksum: read() });
  });
}
`;

/** The whole page. The policy allows its own nonce'd style and script and nothing else: no request leaves it. */
export function renderBucketPropsPage(state: PageState, opts: { nonce: string; lang?: string }): string {
  const csp = `default-src 'none'; style-src 'nonce-${opts.nonce}'; script-src 'nonce-${opts.nonce}';`;
  const banner = state.banner ? `<div class="banner ${state.banner.kind}" role="${state.banner.kind === 'error' ? 'alert' : 'status'}" id="banner">${escapeHtml(state.banner.text)}</div>` : '<div role="status" id="banner" hidden></div>';
  const body = state.sections
    .map((s) => {
      // The checksum, where it can be changed, is its form: the same rows as a select and checkboxes.
      const content = s.id === 'checksum' && state.checksum ? checksumForm(state.checksum) : table(s);
      return `<section id="s-${escapeHtml(s.id)}"><h2 id="h-${escapeHtml(s.id)}">${escapeHtml(s.title)}</h2>${s.note ? `<p class="note">${escapeHtml(s.note)}</p>` : ''}${content}</section>`;
    })
    .join('\n');
  const title = l10n.t('Properties: {0}', state.bucketUri);
  const script = SCRIPT.replace(JSON.stringify('__SAVING__'), JSON.stringify(l10n.t('Saving…')));
  return `<!DOCTYPE html>
<html lang="${escapeHtml(opts.lang ?? 'en')}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
<style nonce="${opts.nonce}">${CSS}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<div class="sub">${escapeHtml(l10n.t('on cluster {0}', state.clusterName))}</div>
<div class="toolbar"><button type="button" id="raw" class="secondary">${escapeHtml(l10n.t('Show Raw JSON'))}</button><button type="button" id="refresh" class="secondary">${escapeHtml(l10n.t('Refresh'))}</button></div>
${banner}
${body}
<script nonce="${opts.nonce}">${script}</script>
</body>
</html>`;
}

/** A page message as the webview sent it, checked: anything else is ignored. */
export function parsePageMessage(m: unknown): PageMessage | undefined {
  const o = m && typeof m === 'object' ? (m as Record<string, unknown>) : undefined;
  if (!o) return undefined;
  if (o.type === 'raw' || o.type === 'refresh') return { type: o.type };
  if (o.type !== 'save') return undefined;
  const c = o.checksum && typeof o.checksum === 'object' ? (o.checksum as Record<string, unknown>) : undefined;
  if (!c || typeof c.type !== 'string') return undefined;
  const checksum = { type: c.type } as Required<ChecksumConf>;
  for (const f of CHECKSUM_FLAGS) {
    if (typeof c[f] !== 'boolean') return undefined;
    checksum[f] = c[f];
  }
  return { type: 'save', checksum };
}
