// RFC 2047 "encoded words" (=?UTF-8?B?...?=) in user metadata. A SigV4 signature covers header values as
// text, and servers check it over the bytes they received: a non-ASCII value is signed one way and checked
// another. AWS's answer (user-defined metadata, in its object metadata docs) is RFC 2047: the value goes as
// ASCII and S3 decodes it before it stores the UTF-8.

const NEEDS_ENCODING = /[^\x20-\x7e\t]/;

/** `value` as one RFC 2047 B-encoded word when it is not plain ASCII; ASCII as it is. */
export function toEncodedWord(value: string): string {
  return NEEDS_ENCODING.test(value) ? `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=` : value;
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=(?:\s+(?==\?[^?\s]+\?[bBqQ]\?))?/g;

/** Decodes the encoded words in `value` (B and Q; UTF-8, US-ASCII, ISO-8859-1); anything else stays as it is. */
export function fromEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  return value.replace(ENCODED_WORD, (word, charset: string, encoding: string, text: string) => {
    const cs = charset.toLowerCase().replace(/\*.*$/, ''); // RFC 2231 language suffix
    if (cs !== 'utf-8' && cs !== 'us-ascii' && cs !== 'iso-8859-1') return word;
    const bytes =
      encoding.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
    return cs === 'utf-8' ? bytes.toString('utf8') : bytes.toString('latin1');
  });
}
