import { describe, expect, it } from 'vitest';
import {
  batchRecords,
  finalStatus,
  outputKey,
  splitLines,
  type TransformJobRequest,
  transformEnvironment,
  transformProblem,
} from './transform-job.js';

const request = (over: Partial<TransformJobRequest> = {}): TransformJobRequest => ({
  TransformJobName: 'job',
  ModelName: 'model',
  TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://b/in/' } } },
  TransformOutput: { S3OutputPath: 's3://b/out/' },
  TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
  ...over,
});

describe('transform job rules', () => {
  it('splits lines, dropping \\r and blank lines', () => {
    const records = splitLines(Buffer.from('1,2\r\n\n3,4\n5,6'));
    expect(records.map(String)).toEqual(['1,2', '3,4', '5,6']);
    expect(splitLines(Buffer.alloc(0))).toEqual([]);
  });

  it('packs MultiRecord batches up to the payload limit, joined by newlines', () => {
    // 3 + 1 + 3 = 7 fits in 7; the third record starts a new batch.
    expect(batchRecords([3, 3, 3], 'MultiRecord', 7)).toEqual({
      ok: true,
      batches: [
        { start: 0, end: 2 },
        { start: 2, end: 3 },
      ],
    });
    expect(batchRecords([3, 3], 'SingleRecord', 100)).toEqual({
      ok: true,
      batches: [
        { start: 0, end: 1 },
        { start: 1, end: 2 },
      ],
    });
    expect(batchRecords([3, 9, 3], 'MultiRecord', 8)).toEqual({ ok: false, tooLarge: 1 });
    expect(batchRecords([], 'MultiRecord', 8)).toEqual({ ok: true, batches: [] });
  });

  it('names outputs after the input path below the prefix, plus .out', () => {
    expect(outputKey('out', 'a.csv')).toBe('out/a.csv.out');
    expect(outputKey('out/', 'sub/a.csv')).toBe('out/sub/a.csv.out');
    expect(outputKey('', 'a.csv')).toBe('a.csv.out');
  });

  it('refuses unsupported options and bad filters, naming the field', () => {
    expect(transformProblem(request())).toBeUndefined();
    expect(
      transformProblem(
        request({
          TransformInput: { ...request().TransformInput, SplitType: 'RecordIO' },
        }),
      ),
    ).toMatch(/^TransformInput.SplitType RecordIO is not supported/);
    expect(transformProblem(request({ MaxConcurrentTransforms: 20, MaxPayloadInMB: 6 }))).toMatch(
      /MaxConcurrentTransforms \(20\) × MaxPayloadInMB \(6\)/,
    );
    expect(transformProblem(request({ DataProcessing: { InputFilter: '$..a' } }))).toMatch(
      /^DataProcessing.InputFilter: .*recursive descent/,
    );
    expect(
      transformProblem(
        request({
          TransformInput: { ...request().TransformInput, ContentType: 'text/csv' },
          TransformOutput: { S3OutputPath: 's3://b/o', Accept: 'application/jsonlines' },
          DataProcessing: { JoinSource: 'Input' },
        }),
      ),
    ).toMatch(/JoinSource Input needs the same format/);
  });

  it('gives the container the batch variables of §7.2', () => {
    expect(
      transformEnvironment(
        { A: '1' },
        request({ Environment: { B: '2' }, MaxPayloadInMB: 1, BatchStrategy: 'SingleRecord' }),
      ),
    ).toEqual({
      A: '1',
      B: '2',
      SAGEMAKER_BATCH: 'true',
      SAGEMAKER_MAX_PAYLOAD_IN_MB: '1',
      SAGEMAKER_BATCH_STRATEGY: 'SINGLE_RECORD',
    });
  });

  it('maps every outcome to one final status', () => {
    expect(finalStatus({ kind: 'completed' })).toEqual({ status: 'Completed' });
    expect(finalStatus({ kind: 'stopped' })).toEqual({ status: 'Stopped' });
    expect(finalStatus({ kind: 'failed', reason: 'x'.repeat(2000) }).failureReason).toHaveLength(1024);
  });
});
