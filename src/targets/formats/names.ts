/**
 * The names of the interop input formats (see `index.ts`), apart from their readers so
 * the `scan` command can list them in its options without loading the readers.
 */

/** Input formats of `scan --input-format`. */
export const INPUT_FORMATS = [
  'auto',
  'list',
  'csv',
  'nmap-xml',
  'masscan-json',
  'masscan-list',
  'zmap-csv',
] as const;
/** One of {@link INPUT_FORMATS}. */
export type InputFormat = (typeof INPUT_FORMATS)[number];
