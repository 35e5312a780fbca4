// AIStore's object-name templates (cmn/cos/template.go, read to learn the grammar): a ListRange's
// `template` selects objects in one of three range styles, or by prefix:
//   bash  "shard-{0000..9999}.tar", "a-{0..100..2}-b-{1..3}"   (several ranges; start..end[..step])
//   at    "shard-@0999.tar"                                      (0 to that number, its width)
//   fmt   "shard-%06d.tar"                                        (0 upwards, unbounded)
//   none  "logs/2025/" is a prefix; "" or "*" the whole bucket.
// Names are produced one at a time: a range of a million names is never held in memory. Shared by the
// gateway (which answers a malformed template with AIStore's 400 and these words) and the extension (which
// checks a template as it is typed and matches listed names against it where S3 has no templates).

/** A malformed template, in AIStore's words (cos.NewParsedTemplate). */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const badRequest = (message: string) => new TemplateError(message);

export interface TemplateRange {
  start: number;
  end: number;
  step: number;
  /** Zero-padded width: the shorter of start's and end's digit counts (AIStore's DigitCount). */
  width: number;
  /** What follows the range, up to the next one or the end. */
  gap: string;
}

export type Selection = { kind: 'range'; prefix: string; ranges: TemplateRange[] } | { kind: 'prefix'; prefix: string };

/** fmt templates run to the largest int64 but one; in JavaScript numbers the largest exact integer will do. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/** Parses a template the way cos.NewParsedTemplate does; a malformed one is AIStore's 400 and words. */
export function parseTemplate(template: string): Selection {
  if (template === '' || template === '*') return { kind: 'prefix', prefix: '' };
  return parseBash(template) ?? parseAt(template) ?? parseFmt(template) ?? { kind: 'prefix', prefix: trimWildcard(template) };
}

/** How many names a range selection produces. */
export function rangeCount(sel: Selection): number {
  if (sel.kind === 'prefix') return 0;
  return sel.ranges.reduce((n, r) => n * (Math.floor((r.end - r.start) / r.step) + 1), 1);
}

/** The names of a range selection in AIStore's order (the last range varies fastest). */
export function* rangeNames(sel: Extract<Selection, { kind: 'range' }>): Generator<string> {
  const at = sel.ranges.map((r) => r.start);
  for (;;) {
    let name = sel.prefix;
    for (let i = 0; i < at.length; i++) name += String(at[i]).padStart(sel.ranges[i].width, '0') + sel.ranges[i].gap;
    yield name;
    let i = at.length - 1;
    for (; i >= 0; i--) {
      at[i] += sel.ranges[i].step;
      if (at[i] <= sel.ranges[i].end) break;
      at[i] = sel.ranges[i].start;
    }
    if (i < 0) return;
  }
}

/** cos.TrimPrefix: a trailing "*" on a prefix means nothing more. */
function trimWildcard(prefix: string): string {
  return prefix.endsWith('*') ? prefix.slice(0, -1) : prefix;
}

/** strconv.ParseInt(s, 10, 64) and its error text. */
function parseInt64(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

function checkBoundaries(style: string, template: string, start: number, end: number, step: number): void {
  const q = JSON.stringify(template);
  if (start > end) throw badRequest(`invalid '${style}' template ${q}: 'start' cannot be greater than 'end'`);
  if (start < 0) throw badRequest(`invalid '${style}' template ${q}: 'start' is negative`);
  if (step <= 0) throw badRequest(`invalid '${style}' template ${q}: 'step' is non-positive`);
}

function parseBash(template: string): Selection | undefined {
  const left = template.indexOf('{');
  const right = template.lastIndexOf('}');
  if (left < 0 || right < 0) return undefined;
  const invalid = () => badRequest(`invalid 'bash' template ${JSON.stringify(template)} (expecting e.g. 'prefix-{0001..0010..1}-suffix')`);
  if (right < left) throw invalid();
  const ranges: TemplateRange[] = [];
  let rest = template;
  for (;;) {
    const l = rest.indexOf('{');
    if (l < 0) break;
    const r = rest.indexOf('}');
    if (r < 0 || r < l) throw invalid();
    const numbers = rest.slice(l + 1, r).split('..');
    if (numbers.length < 2 || numbers.length > 3) throw invalid();
    const start = parseInt64(numbers[0]);
    const end = parseInt64(numbers[1]);
    const step = numbers.length === 3 ? parseInt64(numbers[2]) : 1;
    // AIStore checks what is left of the template from this range on, and quotes that.
    checkBoundaries('bash', rest, start, end, step);
    rest = rest.slice(r + 1);
    const next = rest.indexOf('{');
    ranges.push({ start, end, step, width: Math.min(numbers[0].length, numbers[1].length), gap: next >= 0 ? rest.slice(0, next) : rest });
  }
  return { kind: 'range', prefix: template.slice(0, left), ranges };
}

function parseAt(template: string): Selection | undefined {
  const first = template.indexOf('@');
  if (first < 0) return undefined;
  const ranges: TemplateRange[] = [];
  let rest = template;
  for (;;) {
    let at = rest.indexOf('@');
    if (at < 0) break;
    let digits = '';
    for (at++; at < rest.length && rest[at] >= '0' && rest[at] <= '9'; at++) digits += rest[at];
    const end = parseInt64(digits);
    checkBoundaries('at', rest, 0, end, 1);
    rest = rest.slice(at);
    const next = rest.indexOf('@');
    ranges.push({ start: 0, end, step: 1, width: digits.length, gap: next >= 0 ? rest.slice(0, next) : rest });
  }
  return { kind: 'range', prefix: template.slice(0, first), ranges };
}

function parseFmt(template: string): Selection | undefined {
  const percent = template.indexOf('%');
  if (percent < 0 || template.indexOf('%', percent + 1) >= 0) return undefined;
  const invalid = () => badRequest(`invalid 'fmt' template ${JSON.stringify(template)} (expecting e.g. 'prefix-%06d-suffix)`);
  const d = template.indexOf('d', percent);
  if (d < 0) throw invalid();
  let width = 0;
  if (d - percent > 1) {
    const spec = template.slice(percent + 1, d);
    if (spec.length === 1 || spec[0] !== '0' || !/^\d+$/.test(spec.slice(1))) throw invalid();
    width = Number(spec.slice(1));
  }
  return { kind: 'range', prefix: template.slice(0, percent), ranges: [{ start: 0, end: UNBOUNDED, step: 1, width, gap: template.slice(d + 1) }] };
}

/**
 * Whether a name is one the selection produces, without producing them: the fixed parts must match and
 * each number must be in its range, on its step, and printed at its width (zero-padded, as AIStore prints).
 */
export function templateMatcher(sel: Selection): (name: string) => boolean {
  if (sel.kind === 'prefix') return (name) => name.startsWith(sel.prefix);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^${escape(sel.prefix)}${sel.ranges.map((r) => `(\\d+)${escape(r.gap)}`).join('')}$`);
  return (name) => {
    const m = re.exec(name);
    if (!m) return false;
    return sel.ranges.every((r, i) => {
      const digits = m[i + 1];
      const n = Number(digits);
      return n >= r.start && n <= r.end && (n - r.start) % r.step === 0 && String(n).padStart(r.width, '0') === digits;
    });
  };
}

