import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCatalog } from './catalog.js';

/** One row of the table in docs/errors.md. */
interface DocumentedError {
  readonly code: string;
  readonly status: number;
  readonly fault: string;
  readonly retryable: boolean;
}

/** Reads the rows of the table whose first cell is a code in backticks: `| \`Code\` | 400 | client | no | … |`. */
function parseErrorTable(markdown: string): DocumentedError[] {
  const rows: DocumentedError[] = [];
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const code = /^`([A-Za-z0-9]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!line.trimStart().startsWith('|') || !code) continue;
    rows.push({
      code,
      status: Number(cells[2]),
      fault: cells[3] ?? '',
      retryable: cells[4] === 'yes',
    });
  }
  return rows;
}

const docPath = new URL('../../docs/errors.md', import.meta.url);

describe('docs/errors.md and the error catalog', () => {
  const documented = parseErrorTable(readFileSync(docPath, 'utf8'));
  const catalog = Object.entries(errorCatalog);

  it('parses the table (sanity)', () => {
    expect(documented.length).toBeGreaterThan(10);
    expect(parseErrorTable('| `NoSuchKey` | 404 | client | no | S3: … | |\n| Code | HTTP |')).toEqual([
      { code: 'NoSuchKey', status: 404, fault: 'client', retryable: false },
    ]);
  });

  it('documents every catalog code', () => {
    const missing = catalog.map(([code]) => code).filter((code) => !documented.some((d) => d.code === code));
    expect(missing, 'codes in src/errors/catalog.ts with no row in docs/errors.md').toEqual([]);
  });

  it('documents no code the catalog lacks, and none twice', () => {
    const extra = documented.filter((d) => !Object.hasOwn(errorCatalog, d.code)).map((d) => d.code);
    expect(extra, 'rows in docs/errors.md with no entry in src/errors/catalog.ts').toEqual([]);
    const twice = documented.filter((d, i) => documented.findIndex((e) => e.code === d.code) !== i);
    expect(twice.map((d) => d.code)).toEqual([]);
  });

  it('gives each code the status, fault and retryability of the catalog', () => {
    const differing = documented.flatMap((d) => {
      const spec = (errorCatalog as Record<string, (typeof errorCatalog)[keyof typeof errorCatalog]>)[d.code];
      if (!spec) return [];
      const doc = `${d.status} ${d.fault} ${d.retryable ? 'retryable' : 'final'}`;
      const cat = `${spec.status} ${spec.fault} ${spec.retryable ? 'retryable' : 'final'}`;
      return doc === cat ? [] : [`${d.code}: docs/errors.md says ${doc}, catalog.ts says ${cat}`];
    });
    expect(differing).toEqual([]);
  });

  it('keeps the AWS statuses client code relies on', () => {
    // SageMaker's modeled exceptions have no httpStatusCode, so they are client faults: 400.
    for (const code of [
      'ValidationException',
      'ResourceNotFound',
      'ResourceInUse',
      'ResourceLimitExceeded',
    ] as const) {
      expect(errorCatalog[code].status, code).toBe(400);
    }
    expect(errorCatalog.ThrottlingException).toMatchObject({ status: 400, retryable: true });
    // SDKs retry 500, 502, 503 and 504 whatever the code: those must be retryable server faults,
    // and a deterministic failure must not use them. (501 NotImplemented is not retried.)
    for (const [code, spec] of catalog) {
      if ([500, 502, 503, 504].includes(spec.status)) {
        expect({ code, fault: spec.fault, retryable: spec.retryable }).toEqual({
          code,
          fault: 'server',
          retryable: true,
        });
      }
    }
  });
});
