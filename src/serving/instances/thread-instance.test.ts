import { afterEach, describe, expect, it } from 'vitest';
import type { InvocationRequest } from '../../ports/endpoint-fleet.js';
import { servingWorkerEntry } from '../instance-factories.js';
import type { ModelInstance } from './model-instance.js';
import { type InlineLaneFactory, startThreadInstance } from './thread-instance.js';

// The echo worker answers with the request's bytes; this lane answers small requests with
// "inline", so each reply tells which side of the thread boundary produced it.
const markingLane: InlineLaneFactory = (payload) => {
  expect(payload).toBe(true); // the echo worker's `ready` payload
  return {
    recipe: { kind: 'echo' },
    accepts: (r: InvocationRequest) => r.body.length <= 8,
    answer: () => ({ status: 200, body: Buffer.from('inline'), contentType: 'text/plain' }),
  };
};

const started: ModelInstance[] = [];
async function start(lane?: InlineLaneFactory): Promise<ModelInstance> {
  const instance = await startThreadInstance('i-1', servingWorkerEntry('echo-worker'), {}, 10_000, lane);
  started.push(instance);
  return instance;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((i) => i.stop(0)));
});

const request = (text: string): InvocationRequest => ({ body: Buffer.from(text), contentType: 'text/plain' });

describe('thread instance in-process lane', () => {
  it('answers requests the lane accepts in process and the rest in the worker thread', async () => {
    const instance = await start(markingLane);
    const small = instance.invoke(request('1,2'));
    const large = instance.invoke(request('1,2,3,4,5,6,7,8'));
    expect(instance.outstanding).toBe(2);
    expect((await small).body.toString()).toBe('inline');
    expect((await large).body.toString()).toBe('1,2,3,4,5,6,7,8');
    expect(instance.outstanding).toBe(0);
  });

  it('without a lane, every request crosses to the worker', async () => {
    const instance = await start();
    expect((await instance.invoke(request('1,2'))).body.toString()).toBe('1,2');
  });

  it('fails only the request whose answer throws', async () => {
    const instance = await start(() => ({
      recipe: { kind: 'echo' },
      accepts: () => true,
      answer: (r) => {
        if (r.body.toString() === 'boom') throw new Error('model failed');
        return { status: 200, body: r.body, contentType: 'text/plain' };
      },
    }));
    const [bad, good] = await Promise.allSettled([
      instance.invoke(request('boom')),
      instance.invoke(request('fine')),
    ]);
    expect(bad.status).toBe('rejected');
    expect(good.status === 'fulfilled' && good.value.body.toString()).toBe('fine');
  });

  it('refuses requests once the instance has died, on either side', async () => {
    const instance = await start(markingLane);
    await instance.stop(0);
    await expect(instance.invoke(request('1'))).rejects.toThrow();
    await expect(instance.invoke(request('123456789'))).rejects.toThrow();
  });
});
