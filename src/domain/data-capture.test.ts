import { describe, expect, it } from 'vitest';
import { captureFileName, capturePartition, captureRecord } from './data-capture.js';
import type { DataCaptureConfig } from './endpoint-config.js';

const config = (extra: Partial<DataCaptureConfig> = {}): DataCaptureConfig => ({
  InitialSamplingPercentage: 100,
  DestinationS3Uri: 's3://b/capture',
  CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
  CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'], JsonContentTypes: ['application/json'] },
  ...extra,
});
const at = Date.UTC(2022, 1, 14, 17, 25, 49, 123);
const call = {
  input: { contentType: 'text/csv', body: Buffer.from('69,0,153.7,109\n') },
  output: { contentType: 'text/csv; charset=utf-8', body: Buffer.from('0.0254181120544672') },
  eventId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
  at,
};

describe('data capture records', () => {
  it('match the documented record, CSV by the listed content types (parameters ignored)', () => {
    expect(JSON.parse(captureRecord(config(), { ...call, inferenceId: 'my-id' }))).toStrictEqual({
      captureData: {
        endpointInput: {
          observedContentType: 'text/csv',
          mode: 'INPUT',
          data: '69,0,153.7,109\n',
          encoding: 'CSV',
        },
        endpointOutput: {
          observedContentType: 'text/csv; charset=utf-8',
          mode: 'OUTPUT',
          data: '0.0254181120544672',
          encoding: 'CSV',
        },
      },
      eventMetadata: { eventId: call.eventId, inferenceId: 'my-id', inferenceTime: '2022-02-14T17:25:49Z' },
      eventVersion: '0',
    });
  });

  it('base64-encodes content types not listed, and keeps only the captured sides', () => {
    const record = JSON.parse(
      captureRecord(
        config({ CaptureContentTypeHeader: undefined, CaptureOptions: [{ CaptureMode: 'Input' }] }),
        call,
      ),
    );
    expect(record.captureData).toStrictEqual({
      endpointInput: {
        observedContentType: 'text/csv',
        mode: 'INPUT',
        data: Buffer.from('69,0,153.7,109\n').toString('base64'),
        encoding: 'BASE64',
      },
    });
    expect(record.eventMetadata.inferenceId).toBeUndefined();
  });

  it('partitions by the UTC hour and names files <mm>-<ss>-<mmm>-<id>.jsonl', () => {
    expect(capturePartition('ep', 'AllTraffic', at)).toBe('ep/AllTraffic/2022/02/14/17');
    expect(captureFileName(at, 'x')).toBe('25-49-123-x.jsonl');
  });
});
