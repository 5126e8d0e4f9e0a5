import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AwsError } from '../errors/aws-error.js';
import type { InvocationRequest, InvocationResult } from '../ports/endpoint-fleet.js';
import type {
  ResourceStore,
  StoredResource,
  WorkItem,
  WorkLease,
  WorkQueueStore,
} from '../ports/metadata-store.js';
import type { ObjectStore } from '../ports/object-store.js';
import { createAsyncInvocationService } from './async-invocations.js';

/** A model's answer as the router returns it. */
const answer = (status: number, text: string): InvocationResult => ({
  status,
  body: Buffer.from(text),
  contentType: 'text/plain',
  variantName: 'AllTraffic',
  modelLatencyUs: 1,
});

/** An in-memory WorkQueueStore with the SQL adapter's semantics (leases fenced by owner and attempt). */
function memoryQueue(now: () => number) {
  const items = new Map<
    string,
    {
      id: string;
      payload: unknown;
      attempts: number;
      enqueuedAt: number;
      notBefore: number;
      owner?: string;
      leaseUntil?: number;
    }
  >();
  const key = (q: string, id: string) => `${q}\u0000${id}`;
  const released: string[] = [];
  const held = (q: string, lease: WorkLease) => {
    const i = items.get(key(q, lease.id));
    return i && i.owner === lease.owner && i.attempts === lease.attempts ? i : undefined;
  };
  const queue: WorkQueueStore = {
    async enqueue(q, id, payload, notBefore) {
      items.set(key(q, id), { id, payload, attempts: 0, enqueuedAt: now(), notBefore: notBefore ?? now() });
    },
    async claim<T>(q: string, owner: string, leaseMs: number, limit: number): Promise<WorkItem<T>[]> {
      const out: WorkItem<T>[] = [];
      for (const [k, i] of items) {
        if (out.length >= limit || !k.startsWith(`${q}\u0000`)) continue;
        if (i.notBefore > now() || (i.leaseUntil !== undefined && i.leaseUntil > now())) continue;
        i.leaseUntil = now() + leaseMs;
        i.owner = owner;
        i.attempts++;
        out.push({
          id: i.id,
          owner,
          attempts: i.attempts,
          payload: i.payload as T,
          enqueuedAt: i.enqueuedAt,
        });
      }
      return out;
    },
    async complete(q, lease) {
      return held(q, lease) !== undefined && items.delete(key(q, lease.id));
    },
    async renew(q, lease, leaseMs) {
      const i = held(q, lease);
      if (i) i.leaseUntil = now() + leaseMs;
      return i !== undefined;
    },
    async release(q, lease, notBefore) {
      released.push(lease.id);
      const i = held(q, lease);
      if (!i) return false;
      delete i.leaseUntil;
      delete i.owner;
      i.notBefore = notBefore ?? now();
      return true;
    },
    async size(q) {
      return [...items.keys()].filter((k) => k.startsWith(`${q}\u0000`)).length;
    },
  };
  return { queue, items, released };
}

function memoryObjects() {
  const objects = new Map<string, { body: Buffer; contentType: string }>();
  const store = {
    async getObject(bucket: string, key: string) {
      const o = objects.get(`${bucket}/${key}`);
      if (!o) throw new AwsError('NoSuchKey', 'The specified key does not exist.');
      return { info: { size: o.body.length }, body: Readable.from([o.body]) };
    },
    async putObject(bucket: string, key: string, body: Buffer, options?: { contentType?: string }) {
      objects.set(`${bucket}/${key}`, { body, contentType: options?.contentType ?? '' });
      return {};
    },
  } as unknown as ObjectStore;
  return { store, objects };
}

function endpointResource(name: string, perInstance?: number): StoredResource<unknown> {
  return {
    kind: 'endpoint',
    name,
    arn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint/${name}`,
    status: 'InService',
    creationTime: 0,
    lastModifiedTime: 0,
    record: {
      deployment: {
        endpointConfigName: 'c',
        variants: [],
        resolvedAt: 0,
        asyncInference: {
          OutputConfig: { S3OutputPath: 's3://b/out' },
          ...(perInstance ? { ClientConfig: { MaxConcurrentInvocationsPerInstance: perInstance } } : {}),
        },
      },
    },
  };
}

function setup(
  options: {
    perInstance?: number;
    instances?: number;
    invoke?: (r: InvocationRequest) => Promise<InvocationResult>;
  } = {},
) {
  let clock = 1_000_000;
  const now = () => clock;
  const q = memoryQueue(now);
  const o = memoryObjects();
  const resources = {
    async get(_kind: string, name: string) {
      return name === 'ep' ? endpointResource('ep', options.perInstance) : undefined;
    },
    async list() {
      return [endpointResource('ep', options.perInstance)];
    },
  } as unknown as ResourceStore;
  const calls: InvocationRequest[] = [];
  const service = createAsyncInvocationService({
    queue: q.queue,
    resources,
    objects: o.store,
    router: {
      invoke: async (_endpoint, request) => {
        calls.push(request);
        if (options.invoke) return options.invoke(request);
        return {
          status: 200,
          body: Buffer.concat([Buffer.from('echo:'), request.body]),
          contentType: 'text/plain',
          variantName: 'AllTraffic',
          modelLatencyUs: 5,
        };
      },
    },
    fleet: {
      state: () => [
        {
          variantName: 'AllTraffic',
          currentInstanceCount: options.instances ?? 1,
          desiredInstanceCount: 1,
          currentWeight: 1,
          desiredWeight: 1,
        },
      ],
    },
    accountId: '000000000000',
    region: 'us-east-1',
    now,
    pollMs: 10,
  });
  return { service, q, o, calls, advance: (ms: number) => (clock += ms) };
}

async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('createAsyncInvocationService', () => {
  it('queues before answering, runs the request, writes the output and completes the item', async () => {
    const { service, q, o, calls } = setup();
    o.objects.set('b/in.csv', { body: Buffer.from('1,2'), contentType: '' });
    const accepted = await service.submit('ep', {
      inputLocation: 's3://b/in.csv',
      contentType: 'text/csv',
      inferenceId: 'i1',
    });
    expect(accepted).toEqual({
      inferenceId: 'i1',
      outputLocation: 's3://b/out/i1.out',
      failureLocation: 's3://b/out/i1-error.out',
    });
    expect(q.items.size).toBe(1); // durable before the dispatcher started
    service.start();
    await until(() => q.items.size === 0);
    expect(o.objects.get('b/out/i1.out')).toEqual({
      body: Buffer.from('echo:1,2'),
      contentType: 'text/plain',
    });
    expect(calls[0]).toMatchObject({ contentType: 'text/csv', inferenceId: 'i1' });
    await service.close();
  });

  it('refuses unknown endpoints with the runtime message', async () => {
    const { service } = setup();
    await expect(service.submit('nope', { inputLocation: 's3://b/k' })).rejects.toMatchObject({
      code: 'ValidationError',
      message: 'Endpoint nope of account 000000000000 not found.',
    });
  });

  it('writes a failure object for expired requests and model errors', async () => {
    const { service, q, o, advance } = setup({
      invoke: async () => answer(400, 'bad row'),
    });
    o.objects.set('b/in', { body: Buffer.from('x'), contentType: '' });
    const expired = await service.submit('ep', {
      inputLocation: 's3://b/in',
      requestTtlSeconds: 60,
      inferenceId: 'old',
    });
    advance(61_000);
    const bad = await service.submit('ep', { inputLocation: 's3://b/in', inferenceId: 'bad' });
    service.start();
    await until(() => q.items.size === 0);
    expect(o.objects.get('b/out/old-error.out')?.body.toString()).toMatch(
      /expired.*RequestTTLSeconds \(60 s\)/,
    );
    expect(o.objects.get('b/out/bad-error.out')?.body.toString()).toMatch(
      /^Received client error \(400\) from primary with message "bad row"/,
    );
    expect(o.objects.has(expired.outputLocation.slice(5))).toBe(false);
    expect(o.objects.has(bad.outputLocation.slice(5))).toBe(false);
    await service.close();
  });

  it('runs at most MaxConcurrentInvocationsPerInstance × instances at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const { service, q, o } = setup({
      perInstance: 2,
      instances: 2,
      invoke: async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        return answer(200, 'ok');
      },
    });
    o.objects.set('b/in', { body: Buffer.from('x'), contentType: '' });
    for (let i = 0; i < 12; i++) await service.submit('ep', { inputLocation: 's3://b/in' });
    service.start();
    await until(() => q.items.size === 0, 5_000);
    expect(peak).toBe(4);
    await service.close();
  });

  it('gives running requests back to the queue when it closes', async () => {
    const { service, q, o } = setup({ invoke: () => new Promise(() => {}) });
    o.objects.set('b/in', { body: Buffer.from('x'), contentType: '' });
    await service.submit('ep', { inputLocation: 's3://b/in', inferenceId: 'stuck' });
    service.start();
    await until(() => [...q.items.values()].some((i) => i.leaseUntil !== undefined));
    await service.close();
    const item = [...q.items.values()][0]!;
    expect(item.leaseUntil).toBeUndefined();
    expect(q.released.length).toBeGreaterThan(0);
    expect(o.objects.has('b/out/stuck.out')).toBe(false);
  });

  it('retries later when the router throttles', async () => {
    let first = true;
    const { service, q, o, advance } = setup({
      invoke: async () => {
        if (first) {
          first = false;
          throw new AwsError('ThrottlingException', 'busy');
        }
        return answer(200, 'ok');
      },
    });
    o.objects.set('b/in', { body: Buffer.from('x'), contentType: '' });
    await service.submit('ep', { inputLocation: 's3://b/in', inferenceId: 't' });
    service.start();
    await until(() => q.released.includes(q.items.values().next().value?.id ?? '-'));
    expect(o.objects.has('b/out/t.out')).toBe(false);
    advance(2_001);
    await until(() => q.items.size === 0);
    expect(o.objects.get('b/out/t.out')?.body.toString()).toBe('ok');
    await service.close();
  });
});
