import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  InvokeEndpointAsyncCommand,
  InvokeEndpointCommand,
  SageMakerRuntimeClient,
} from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMetadataStore } from '../../src/adapters/sql/open-metadata-store.js';
import type { MetricAggregate } from '../../src/ports/metadata-store.js';
import { deployEndpoint } from '../helpers/endpoints.js';
import { createNodeModel } from '../helpers/node-model.js';
import { pollForObject } from '../helpers/objects.js';
import { clientConfig, startServer, type TestServer } from '../helpers/server.js';
import { clients } from '../helpers/training.js';

const bucket = 'metrics';
/** Answers "ok", or the status its body names ("404", "500"). */
const statusModel = `
export function modelFn() { return {}; }
export function transformFn(model, body) {
  const text = body.toString('utf8').trim();
  if (text !== 'ok') throw Object.assign(new Error('asked for ' + text), { statusCode: Number(text) });
  return ['ok', 'text/plain'];
}
`;

let server: TestServer;
let c: ReturnType<typeof clients>;
let runtime: SageMakerRuntimeClient;
const dataDir = mkdtempSync(join(tmpdir(), 'lathe-metrics-'));

async function deploy(name: string, instances: number, asyncOutput?: string): Promise<void> {
  await deployEndpoint(
    c.sm,
    name,
    [{ model: 'status-model', count: instances }],
    asyncOutput ? { AsyncInferenceConfig: { OutputConfig: { S3OutputPath: asyncOutput } } } : {},
  );
}

/** The samples of a Prometheus text exposition, keyed `name{labels}`. */
function parseProm(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

async function scrape(): Promise<{ text: string; samples: Map<string, number> }> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, samples: parseProm(text) };
}

beforeAll(async () => {
  server = await startServer({ dataDir });
  c = clients(server);
  runtime = new SageMakerRuntimeClient(clientConfig(server));
  await c.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await createNodeModel(c, bucket, 'status-model', statusModel);
  await deploy('metrics-ep', 2);
  await deploy('metrics-async-ep', 1, `s3://${bucket}/out`);
}, 120_000);
afterAll(async () => {
  await server?.stop({ keepData: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('endpoint metrics', () => {
  it('counts invocations, 4XX and 5XX by the model status, latencies and invocations per instance', async () => {
    const invoke = (body: string, endpoint = 'metrics-ep') =>
      runtime.send(
        new InvokeEndpointCommand({ EndpointName: endpoint, ContentType: 'text/plain', Body: body }),
      );
    for (let i = 0; i < 7; i++) await invoke('ok');
    for (const code of ['404', '404', '500']) {
      await expect(invoke(code)).rejects.toMatchObject({
        name: 'ModelError',
        OriginalStatusCode: Number(code),
        $metadata: { httpStatusCode: 424 },
      });
    }
    // Not an endpoint: nothing to count it against.
    await expect(invoke('ok', 'no-such-endpoint')).rejects.toMatchObject({ name: 'ValidationError' });

    await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/ok', Body: 'ok' }));
    const accepted = await runtime.send(
      new InvokeEndpointAsyncCommand({
        EndpointName: 'metrics-async-ep',
        InputLocation: `s3://${bucket}/in/ok`,
      }),
    );
    await pollForObject(c.s3, [`s3://${bucket}/out/${accepted.InferenceId}.out`], 30_000);

    const { text, samples } = await scrape();
    const l = '{endpoint="metrics-ep",variant="AllTraffic"}';
    expect(text).toContain('# TYPE lathe_endpoint_invocations_total counter');
    expect(text).toContain('# TYPE lathe_endpoint_model_latency_microseconds summary');
    expect(samples.get(`lathe_endpoint_invocations_total${l}`)).toBe(10);
    expect(samples.get(`lathe_endpoint_invocation_4xx_errors_total${l}`)).toBe(2);
    expect(samples.get(`lathe_endpoint_invocation_5xx_errors_total${l}`)).toBe(1);
    expect(samples.get(`lathe_endpoint_model_latency_microseconds_count${l}`)).toBe(10);
    expect(samples.get(`lathe_endpoint_overhead_latency_microseconds_count${l}`)).toBe(10);
    expect(samples.get(`lathe_endpoint_model_latency_microseconds_sum${l}`)).toBeGreaterThan(0);
    // Two instances: each request counts 1/2; the gauge is per minute over the last minute.
    expect(samples.get(`lathe_endpoint_invocations_per_instance${l}`)).toBeCloseTo(5, 9);
    const a = '{endpoint="metrics-async-ep",variant="AllTraffic"}';
    expect(samples.get(`lathe_endpoint_invocations_total${a}`)).toBe(1);
    expect(
      samples.get('lathe_async_invocations_total{endpoint="metrics-async-ep",outcome="succeeded"}'),
    ).toBe(1);
    expect(samples.get('lathe_training_jobs{status="InProgress"}')).toBe(0);
    expect(text).not.toContain('no-such-endpoint');
  });

  it('stores per-minute aggregates within a flush period, and they survive a restart', async () => {
    const store = await openMetadataStore(`sqlite://${join(dataDir, 'lathe.db')}`);
    const sums = async () => {
      const rows = await store.endpointMetrics.query('metrics-ep', { start: 0, end: Date.now() + 60_000 });
      const by = new Map<string, MetricAggregate>();
      for (const r of rows) {
        const seen = by.get(r.metric);
        by.set(r.metric, seen ? { ...seen, sum: seen.sum + r.sum, count: seen.count + r.count } : r);
      }
      return by;
    };
    try {
      const deadline = Date.now() + 20_000;
      let by = await sums();
      while ((by.get('Invocations')?.sum ?? 0) < 10 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        by = await sums();
      }
      const check = (m: Map<string, MetricAggregate>) => {
        expect(m.get('Invocations')).toMatchObject({ sum: 10, count: 10 });
        expect(m.get('Invocation4XXErrors')).toMatchObject({ sum: 2, count: 10 });
        expect(m.get('Invocation5XXErrors')).toMatchObject({ sum: 1, count: 10 });
        expect(m.get('InvocationsPerInstance')?.sum).toBeCloseTo(5, 9);
        expect(m.get('ModelLatency')?.count).toBe(10);
        expect(m.get('OverheadLatency')?.count).toBe(10);
      };
      check(by);
      // A clean stop flushes the rest without counting anything twice.
      await server.stop({ keepData: true });
      check(await sums());
    } finally {
      await store.close();
    }
    server = await startServer({ dataDir });
    const { samples } = await scrape();
    // Counters restart at zero (Prometheus counter semantics); the stored minutes remain.
    expect(
      samples.get('lathe_endpoint_invocations_total{endpoint="metrics-ep",variant="AllTraffic"}'),
    ).toBeUndefined();
  }, 60_000);
});
