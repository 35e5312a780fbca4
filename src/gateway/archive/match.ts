// Selecting members by archregx + archmode, as cmn/archive/read.go's matcher does. "regexp" is Go's RE2
// syntax and semantics (re2js, a port of Go's regexp: the same answers, the same error words, and linear
// time, so no pattern from a request can stall the gateway); "prefix", "suffix", "substr" compare strings;
// "wdskey" compares the WebDataset key (the name without its last extension, cos.WdsKey).
import { RE2JS } from 're2js';
import { ARCH_MATCH_MODES, ArchMatchMode } from '../../common/aisapi';
import { ArchiveError } from '../../common/archive/formats';

const errMatchMode = (mode: string) =>
  new ArchiveError(400, 'ErrMatchMode', `invalid matching mode ${JSON.stringify(mode)}, expecting one of: [${ARCH_MATCH_MODES.join(' ')}]`);

/** archive.ValidateMatchMode: "" and "*" are "prefix"; anything else must be one of the modes. */
export function validateMatchMode(mode: string): ArchMatchMode {
  if (mode === '' || mode === '*') return 'prefix';
  if (!(ARCH_MATCH_MODES as readonly string[]).includes(mode)) throw errMatchMode(mode);
  return mode as ArchMatchMode;
}

/** cos.WdsKey: the path without its (last) extension, and without a leading "/". */
export function wdsKey(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  const key = dot >= 0 ? name.slice(0, name.length - (base.length - dot)) : name;
  return key.startsWith('/') ? key.slice(1) : key;
}

/**
 * matcher.init + matcher.do: an empty regx matches all; "" or "*" as regx switches to prefix mode (so "*"
 * itself only matches names starting with "*", as in AIStore). A malformed regexp is thrown as Go words it.
 */
export function memberMatcher(regx: string, mode: ArchMatchMode): (name: string) => boolean {
  if (regx === '' || regx === '*') mode = 'prefix';
  if (regx === '') return () => true;
  switch (mode) {
    case 'regexp': {
      let re: RE2JS;
      try {
        re = RE2JS.compile(regx);
      } catch (e) {
        throw new ArchiveError(400, '', (e as Error).message);
      }
      return (name) => re.test(name);
    }
    case 'prefix':
      return (name) => name.startsWith(regx);
    case 'suffix':
      return (name) => name.endsWith(regx);
    case 'substr':
      return (name) => name.includes(regx);
    case 'wdskey':
      return (name) => wdsKey(name) === regx;
  }
}
