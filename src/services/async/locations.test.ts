import { describe, expect, it } from 'vitest';
import { asyncLocations, parseS3Object } from './locations.js';

describe('asyncLocations', () => {
  it('names the output <id>.out under the output path and the failure <id>-error.out', () => {
    expect(asyncLocations({ S3OutputPath: 's3://b/out/' }, 'abc')).toEqual({
      outputLocation: 's3://b/out/abc.out',
      failureLocation: 's3://b/out/abc-error.out',
    });
  });

  it('uses S3FailurePath, the extension and Filename', () => {
    expect(
      asyncLocations({ S3OutputPath: 's3://b/out', S3FailurePath: 's3://f/err/' }, 'id1', {
        extension: '/x/y/',
        filename: 'result.json',
      }),
    ).toEqual({
      outputLocation: 's3://b/out/x/y/result.json',
      failureLocation: 's3://f/err/x/y/id1-error.out',
    });
  });

  it('works with a bucket-only output path', () => {
    expect(asyncLocations({ S3OutputPath: 's3://bucket' }, 'i')).toEqual({
      outputLocation: 's3://bucket/i.out',
      failureLocation: 's3://bucket/i-error.out',
    });
  });

  it('refuses a configuration without an S3 output path', () => {
    expect(asyncLocations({}, 'i')).toMatch(/S3OutputPath/);
    expect(asyncLocations({ S3OutputPath: 'https://x/y' }, 'i')).toMatch(/S3OutputPath/);
  });
});

describe('parseS3Object', () => {
  it('takes s3://bucket/key apart and refuses anything else', () => {
    expect(parseS3Object('s3://b/k/e/y.csv')).toEqual({ bucket: 'b', key: 'k/e/y.csv' });
    expect(parseS3Object('s3://b/')).toBeUndefined();
    expect(parseS3Object('s3://b')).toBeUndefined();
    expect(parseS3Object('https://b/k')).toBeUndefined();
  });
});
