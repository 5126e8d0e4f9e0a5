/** Where the metadata lives, as parsed from the store URL. */
export type StoreLocation =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string };

/**
 * Parses a metadata store URL: `sqlite:///absolute/path.db`, `sqlite::memory:`, or
 * `postgres://…` / `postgresql://…` (passed to node-postgres unchanged).
 */
export function parseStoreUrl(url: string): StoreLocation {
  if (url === 'sqlite::memory:') return { kind: 'sqlite', path: ':memory:' };
  if (url.startsWith('sqlite://')) {
    const path = url.slice('sqlite://'.length);
    // A relative path would depend on the working directory of whoever opens the store.
    if (!path.startsWith('/') || path.length < 2) {
      throw new Error(`Metadata store URL ${url} must name an absolute path: sqlite:///absolute/path.db`);
    }
    return { kind: 'sqlite', path };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { kind: 'postgres', url };
  throw new Error(
    `Unsupported metadata store URL ${redact(url)}: use sqlite:///path.db, sqlite::memory: or postgres://…`,
  );
}

/** Drops credentials so an error message never prints a password. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
