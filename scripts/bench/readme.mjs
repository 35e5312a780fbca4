// A section of README.md between two markers, replaced in place; placed by the caller the first time.
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Writes `body` between `<!-- NAME:begin -->` and `<!-- NAME:end -->`. Without those markers, the section
 * goes where `placeNew(text)` says (an index), or nowhere when it says -1.
 */
export function writeReadmeSection(root, name, body, placeNew) {
  const file = path.join(root, 'README.md');
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const section = `${begin}\n${body}\n${end}`;
  let text = fs.readFileSync(file, 'utf8');
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a >= 0 && b >= 0) text = text.slice(0, a) + section + text.slice(b + end.length);
  else {
    const at = placeNew(text);
    if (at < 0) return false;
    text = `${text.slice(0, at).trimEnd()}\n\n${section}\n${text.slice(at)}`;
  }
  fs.writeFileSync(file, text);
  return true;
}
