import { describe, expect, it } from 'vitest';
import { parseStoreUrl } from './store-url.js';

describe('parseStoreUrl', () => {
  it('reads SQLite file and memory URLs', () => {
    expect(parseStoreUrl('sqlite:///var/lib/lathe/meta.db')).toEqual({
      kind: 'sqlite',
      path: '/var/lib/lathe/meta.db',
    });
    expect(parseStoreUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
  });

  it('passes PostgreSQL URLs through unchanged', () => {
    for (const url of ['postgres://u:p@db:5432/lathe', 'postgresql://db/lathe?sslmode=require']) {
      expect(parseStoreUrl(url)).toEqual({ kind: 'postgres', url });
    }
  });

  it('rejects relative SQLite paths and unknown schemes without echoing passwords', () => {
    expect(() => parseStoreUrl('sqlite://meta.db')).toThrow(/absolute path/);
    expect(() => parseStoreUrl('sqlite:///')).toThrow(/absolute path/);
    expect(() => parseStoreUrl('mysql://root:hunter2@db/lathe')).toThrow(/^(?!.*hunter2).*Unsupported/);
  });
});
