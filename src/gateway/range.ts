// The Range header of a GET, read for both APIs (RFC 7233). They differ only in what a header they cannot
// use means: S3 ignores it and sends the whole object (several ranges, junk, last < first), AIStore's native
// API answers 416 (cmn/cos/http_range.go: one range only). A range past the end is 416 for both.
import { GatewayError } from './errors';
import type { ByteRange } from './store/types';

export type RangePolicy = 's3' | 'native';

/** 416: nothing of the range can be served. The native API answers it with `Content-Range: bytes *\/SIZE`. */
export class RangeNotSatisfiable extends GatewayError {
  constructor(
    readonly size: number,
    message: string,
  ) {
    super(416, 'InvalidRange', message, { ActualObjectSize: String(size) });
  }
}

/** `first-last` of a Range header: no `first` is a suffix (`-N`: the last N bytes), no `last` an open end. */
interface RangeSpec {
  first?: number;
  last?: number;
}

/** The bytes `header` asks for out of `size`; undefined for the whole object (no header, or one ignored). */
export function parseRange(header: string | undefined, size: number, policy: RangePolicy): ByteRange | undefined {
  if (!header) return undefined;
  const spec = policy === 's3' ? s3Spec(header) : nativeSpec(header, size);
  if (!spec) return undefined;
  const unsatisfiable = () =>
    new RangeNotSatisfiable(
      size,
      policy === 's3' ? `The requested range is not satisfiable (object size ${size})` : `range "${header}" is not satisfiable (object size ${size})`,
    );
  if (spec.first === undefined) {
    if (spec.last === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - spec.last!), end: size - 1 };
  }
  if (spec.first >= size) throw unsatisfiable();
  return { start: spec.first, end: spec.last === undefined ? size - 1 : Math.min(spec.last, size - 1) };
}

function specOf(m: RegExpExecArray): RangeSpec | undefined {
  if (m[1] === '' && m[2] === '') return undefined;
  return { first: m[1] === '' ? undefined : Number(m[1]), last: m[2] === '' ? undefined : Number(m[2]) };
}

const invalidOrder = (s: RangeSpec) => s.first !== undefined && s.last !== undefined && s.last < s.first;

/** S3 takes exactly `bytes=first-last`; anything else is ignored. */
function s3Spec(header: string): RangeSpec | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  const spec = m ? specOf(m) : undefined;
  return spec && !invalidOrder(spec) ? spec : undefined;
}

/** AIStore takes one range; several, or a malformed one, are refused. A header of another unit is ignored. */
function nativeSpec(header: string, size: number): RangeSpec | undefined {
  const m = /^bytes=(.*)$/i.exec(header.trim());
  if (!m) return undefined;
  const specs = m[1].split(',').map((s) => s.trim());
  if (specs.length > 1) throw new RangeNotSatisfiable(size, 'multi-range read is not supported');
  const r = /^(\d*)-(\d*)$/.exec(specs[0]);
  const spec = r ? specOf(r) : undefined;
  if (!spec || invalidOrder(spec)) throw new RangeNotSatisfiable(size, `invalid range "${header}"`);
  return spec;
}
