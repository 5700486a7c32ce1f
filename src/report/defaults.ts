/**
 * Report defaults, apart from the renderer so the `report` command can show them in its
 * options without loading it.
 */

/** Rows written by default; a larger scan gets its first rows and a note. */
export const DEFAULT_MAX_ROWS = 20_000;
