/**
 * What PostgreSQL cannot store: NUL in text, and NUL or an unpaired surrogate in jsonb (JSON text
 * from JavaScript escapes both, and jsonb refuses the escapes). Inputs are checked or cleaned
 * with these before an insert could fail on them.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** The code unit of the first character PostgreSQL cannot store (0 for NUL, else a lone surrogate); undefined if none. */
export function firstUnstorable(text: string): number | undefined {
  const match = UNSTORABLE.exec(text);
  return match ? match[0].charCodeAt(0) : undefined;
}

/** The text with every character PostgreSQL cannot hold replaced by U+FFFD. */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE_ALL, '\uFFFD');
}
