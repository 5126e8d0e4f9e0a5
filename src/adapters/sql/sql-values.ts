/** Small conversions shared by the SQL stores, kept dialect-neutral. */

/** Reads an `Int8` column: node-postgres returns int8 as a string, better-sqlite3 as a number. */
export function toNumber(value: number | string | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Reads a nullable `Int8` column, mapping NULL to "absent" as the domain types expect. */
export function toOptionalNumber(value: number | string | bigint | null): number | undefined {
  return value === null ? undefined : toNumber(value);
}

/** Escapes `%`, `_` and the escape character itself for `LIKE … ESCAPE '\'`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Splits rows into batches so one INSERT stays under every dialect's bound-parameter limit. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Serialises a value stored as JSON text. JSON.stringify yields undefined for undefined,
 * functions and symbols, which would otherwise surface as a confusing NOT NULL violation.
 */
export function toJson(value: unknown, what: string): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`${what} must be JSON-serialisable, got ${typeof value}.`);
  return json;
}
