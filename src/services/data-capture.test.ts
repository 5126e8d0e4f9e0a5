import { describe, expect, it } from 'vitest';
import type { DataCaptureConfig } from '../domain/endpoint-config.js';
import type { ObjectStore } from '../ports/object-store.js';
import { createDataCaptureService } from './data-capture.js';

function memoryObjects() {
  const written: { bucket: string; key: string; body: string }[] = [];
  const objects = {
    async putObject(bucket: string, key: string, body: Buffer) {
      written.push({ bucket, key, body: body.toString() });
      return { etag: '"x"', size: body.length };
    },
  } as unknown as ObjectStore;
  return { objects, written };
}

const config = (percentage: number, extra: Partial<DataCaptureConfig> = {}): DataCaptureConfig => ({
  InitialSamplingPercentage: percentage,
  DestinationS3Uri: 's3://bucket/root/capture',
  CaptureOptions: [{ CaptureMode: 'InputAndOutput' }],
  ...extra,
});
const input = { body: Buffer.from('1,2'), contentType: 'text/csv' };
const output = { body: Buffer.from('0.5'), contentType: 'text/csv' };

describe('data capture service', () => {
  it('samples InitialSamplingPercentage of the invocations and writes them per hour partition', async () => {
    const { objects, written } = memoryObjects();
    let r = 0;
    const randoms = [0.1, 0.3, 0.29, 0.9]; // × 100 against 30: kept, dropped, kept, dropped
    const capture = createDataCaptureService({
      objects,
      flushIntervalMs: 60_000,
      now: () => Date.UTC(2026, 10, 30, 7, 5, 9, 42),
      random: () => randoms[r++]!,
    });
    capture.configure('ep', config(30));
    for (let i = 0; i < 4; i++) capture.record('ep', 'AllTraffic', input, output);
    await capture.close();
    expect(written).toHaveLength(1);
    expect(written[0]!.bucket).toBe('bucket');
    expect(written[0]!.key).toMatch(
      /^root\/capture\/ep\/AllTraffic\/2026\/11\/30\/07\/05-09-042-[0-9a-f-]{36}\.jsonl$/,
    );
    expect(written[0]!.body.trim().split('\n')).toHaveLength(2);
  });

  it('captures nothing when disabled, unconfigured or removed', async () => {
    const { objects, written } = memoryObjects();
    const capture = createDataCaptureService({ objects, flushIntervalMs: 60_000 });
    capture.configure('off', config(100, { EnableCapture: false }));
    capture.configure('gone', config(100));
    capture.configure('gone', undefined);
    for (const ep of ['off', 'gone', 'never']) capture.record(ep, 'v', input, output);
    await capture.close();
    expect(written).toEqual([]);
  });
});
