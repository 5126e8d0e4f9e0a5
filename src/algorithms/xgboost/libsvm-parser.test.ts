import { describe, expect, it } from 'vitest';
import { formatOfContentType, groupSizes, sniffFormat } from './data.js';
import { ClientError } from './errors.js';
import { parseLibsvm } from './libsvm-parser.js';

describe('parseLibsvm', () => {
  it('builds CSR with indexes as given, weights and qids', () => {
    const p = parseLibsvm(
      Buffer.from('1:2 qid:7 0:1.5 3:-2 # comment\n\n0 qid:7 2:4\r\n1 qid:9\n'),
      'train/x',
    );
    expect(p.features.rows).toBe(3);
    expect(p.features.cols).toBe(4);
    expect(Array.from(p.features.indptr)).toEqual([0n, 2n, 3n, 3n]);
    expect(Array.from(p.features.indices)).toEqual([0, 3, 2]);
    expect(Array.from(p.features.values)).toEqual([1.5, -2, 4]);
    expect(Array.from(p.labels)).toEqual([1, 0, 1]);
    expect(Array.from(p.weights!)).toEqual([2, 1, 1]);
    expect(Array.from(groupSizes(p.qids!))).toEqual([2, 1]);
  });

  it('names the file and line of malformed rows', () => {
    expect(() => parseLibsvm(Buffer.from('1 1:2\n0 3\n'), 'train/x')).toThrow(
      new ClientError("train/x line 2: '3' is not an index:value pair"),
    );
    expect(() => parseLibsvm(Buffer.from('1 1:2\nyes 1:1\n'), 'train/x')).toThrow(
      /line 2: label 'yes' is not a number/,
    );
    expect(() => parseLibsvm(Buffer.from('1 a:2\n'), 'train/x')).toThrow(
      /line 1: 'a:2' has a malformed feature index/,
    );
    expect(() => parseLibsvm(Buffer.from('1 1:x\n'), 'train/x')).toThrow(
      /line 1: '1:x' has a malformed value/,
    );
  });
});

describe('content types', () => {
  it('maps SageMaker content types and rejects unsupported ones', () => {
    expect(formatOfContentType('text/csv')).toBe('csv');
    expect(formatOfContentType('CSV')).toBe('csv');
    expect(formatOfContentType('text/csv; label_size=1')).toBe('csv');
    expect(formatOfContentType('text/libsvm')).toBe('libsvm');
    expect(formatOfContentType('text/x-libsvm')).toBe('libsvm');
    expect(formatOfContentType('libsvm')).toBe('libsvm');
    expect(formatOfContentType(undefined)).toBeUndefined();
    expect(() => formatOfContentType('application/x-parquet')).toThrow(
      /'application\/x-parquet' is not supported/,
    );
    expect(() => formatOfContentType('application/x-recordio-protobuf')).toThrow(ClientError);
    expect(() => formatOfContentType('text/csv;label_size=2')).toThrow(/label_size=1/);
  });

  it('sniffs libsvm by a colon in the second token', () => {
    expect(sniffFormat(Buffer.from('\n1 3:0.5 4:1\n'))).toBe('libsvm');
    expect(sniffFormat(Buffer.from('1,0.5,2\n'))).toBe('csv');
  });
});
