import { describe, expect, it } from 'vitest';
import { parseS3Uri, pathBelowPrefix, safeJoin } from './transfer.js';

describe('pathBelowPrefix', () => {
  it('keeps the key path below a folder prefix, with or without its slash', () => {
    expect(pathBelowPrefix('data/train/', 'data/train/a/x.csv')).toBe('a/x.csv');
    expect(pathBelowPrefix('data/train', 'data/train/x.csv')).toBe('x.csv');
    expect(pathBelowPrefix('', 'x.csv')).toBe('x.csv');
  });
  it('keeps the file name of an exact match and the segment of a partial one', () => {
    expect(pathBelowPrefix('data/train.csv', 'data/train.csv')).toBe('train.csv');
    expect(pathBelowPrefix('data/tr', 'data/train/x.csv')).toBe('train/x.csv');
  });
});

describe('safeJoin', () => {
  it('joins inside the root and refuses escapes', () => {
    expect(safeJoin('/jobs/a', 'x/y.csv')).toBe('/jobs/a/x/y.csv');
    expect(() => safeJoin('/jobs/a', '../b/x')).toThrow(/outside/);
    expect(() => safeJoin('/jobs/a', 'x/../../b')).toThrow(/outside/);
    expect(() => safeJoin('/jobs/a', '/etc/passwd')).toThrow(/outside/);
  });
});

describe('parseS3Uri', () => {
  it('splits bucket and key and refuses other schemes', () => {
    expect(parseS3Uri('s3://b/k/x')).toEqual({ bucket: 'b', key: 'k/x' });
    expect(parseS3Uri('s3://b')).toEqual({ bucket: 'b', key: '' });
    expect(() => parseS3Uri('https://b/k')).toThrow();
  });
});
