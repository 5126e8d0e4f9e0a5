import { describe, expect, it } from 'vitest';
import type { ModelInstance } from './instances/model-instance.js';
import { VariantPool } from './variant-pool.js';

const logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Instances that report a fixed number of requests in flight: the first is the busiest. */
function factory() {
  let n = 0;
  return async (id: string): Promise<ModelInstance> => {
    const outstanding = 10 - n++;
    return {
      id,
      outstanding,
      invoke: async () => ({ status: 200, body: Buffer.alloc(0), contentType: 'text/plain' }),
      exited: new Promise(() => {}),
      stop: async () => {},
    };
  };
}

describe('VariantPool.pickNow', () => {
  it('takes the least busy instance by default, any instance with RoutingStrategy RANDOM', async () => {
    const least = new VariantPool('v', 1, 3, factory(), logger, 0);
    await least.fill();
    const picked = new Set(Array.from({ length: 50 }, () => least.pickNow()!.outstanding));
    expect([...picked]).toEqual([8]);

    const random = new VariantPool('v', 1, 3, factory(), logger, 0, undefined, 'random');
    await random.fill();
    const spread = new Set(Array.from({ length: 200 }, () => random.pickNow()!.outstanding));
    expect([...spread].sort()).toEqual([10, 8, 9].sort());
    await least.close();
    await random.close();
  });
});
