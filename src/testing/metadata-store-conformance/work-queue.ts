import { beforeEach, expect, it } from 'vitest';
import type { MetadataStore, WorkItem } from '../../ports/metadata-store.js';
import type { ConformanceContext } from './context.js';

/**
 * WorkQueueStore, on the suite's clock. Runnable means `notBefore <= now` and no lease or a lease
 * whose end is `<= now`. `claim` returns oldest first (enqueue time, then enqueue order) and counts
 * an attempt per claim; `release` keeps the attempt count; `complete`, `renew` and `release` act
 * only for the claim that holds the item (owner and attempt) and say whether they did; enqueueing
 * an id the queue holds (leased or not) rejects.
 */
export function workQueueCases(ctx: ConformanceContext): void {
  let store: MetadataStore;
  beforeEach(() => {
    store = ctx.store();
  });
  const q = 'async-inference';
  const ids = (items: readonly WorkItem<unknown>[]) => items.map((i) => i.id);

  it('enqueues, claims with the payload, an attempt and the enqueue time, and completes', async () => {
    const payload = { input: 's3://b/in/1.csv', headers: { 'X-Amzn': 'ü' }, n: [1, 2.5, null] };
    await store.workQueue.enqueue(q, 'r1', payload);
    expect(await store.workQueue.size(q)).toBe(1);
    const [item, ...rest] = await store.workQueue.claim(q, 'worker-a', 60_000, 10);
    expect(rest).toEqual([]);
    expect(item).toStrictEqual({
      id: 'r1',
      owner: 'worker-a',
      attempts: 1,
      payload,
      enqueuedAt: ctx.clock.now(),
    });
    // Leased items still count.
    expect(await store.workQueue.size(q)).toBe(1);
    expect(await store.workQueue.complete(q, item!)).toBe(true);
    expect(await store.workQueue.size(q)).toBe(0);
    expect(await store.workQueue.claim(q, 'worker-a', 60_000, 10)).toEqual([]);
    expect(await store.workQueue.complete(q, item!)).toBe(false);
    expect(await store.workQueue.complete(q, { id: 'never', owner: 'worker-a', attempts: 1 })).toBe(false);
  });

  it('keeps payloads that are not objects', async () => {
    await store.workQueue.enqueue(q, 'str', 'text');
    await store.workQueue.enqueue(q, 'num', 0);
    await store.workQueue.enqueue(q, 'nul', null);
    const items = await store.workQueue.claim(q, 'w', 1000, 10);
    expect(items.map((i) => i.payload)).toEqual(['text', 0, null]);
  });

  it('rejects a duplicate id in one queue, leased or not, but not across queues', async () => {
    await store.workQueue.enqueue(q, 'dup', { v: 1 });
    await expect(store.workQueue.enqueue(q, 'dup', { v: 2 })).rejects.toThrow(Error);
    await store.workQueue.claim(q, 'w', 1000, 1);
    await expect(store.workQueue.enqueue(q, 'dup', { v: 3 })).rejects.toThrow(Error);
    await store.workQueue.enqueue('other-queue', 'dup', { v: 4 });
    expect(await store.workQueue.size(q)).toBe(1);
    expect(await store.workQueue.size('other-queue')).toBe(1);
    // The first payload is kept; once completed, the id can be used again.
    ctx.clock.advance(1000);
    const [first] = await store.workQueue.claim(q, 'w', 1000, 1);
    expect(first?.payload).toEqual({ v: 1 });
    await store.workQueue.complete(q, first!);
    await store.workQueue.enqueue(q, 'dup', { v: 5 });
    expect((await store.workQueue.claim(q, 'w', 1000, 1))[0]).toMatchObject({
      payload: { v: 5 },
      attempts: 1,
    });
  });

  it('claims up to limit, oldest first, ties in enqueue order, never an item already leased', async () => {
    for (const id of ['c', 'a', 'b']) await store.workQueue.enqueue(q, id, id);
    ctx.clock.advance(1);
    await store.workQueue.enqueue(q, 'later', 'later');
    ctx.clock.advance(1);
    expect(ids(await store.workQueue.claim(q, 'w1', 60_000, 2))).toEqual(['c', 'a']);
    expect(ids(await store.workQueue.claim(q, 'w2', 60_000, 10))).toEqual(['b', 'later']);
    expect(await store.workQueue.claim(q, 'w3', 60_000, 10)).toEqual([]);
    expect(await store.workQueue.claim(q, 'w3', 60_000, 0)).toEqual([]);
  });

  it('keeps queues apart', async () => {
    await store.workQueue.enqueue('q1', 'x', 1);
    await store.workQueue.enqueue('q2', 'y', 2);
    expect(ids(await store.workQueue.claim('q1', 'w', 1000, 10))).toEqual(['x']);
    expect(await store.workQueue.size('q2')).toBe(1);
    const [y] = await store.workQueue.claim('q2', 'w', 1000, 10);
    expect(await store.workQueue.complete('q1', y!)).toBe(false);
    expect(await store.workQueue.size('q2')).toBe(1);
    expect(await store.workQueue.size('empty')).toBe(0);
  });

  it('hides an item enqueued with a future notBefore until then', async () => {
    const start = ctx.clock.now();
    await store.workQueue.enqueue(q, 'delayed', 1, start + 5000);
    await store.workQueue.enqueue(q, 'now', 2);
    expect(ids(await store.workQueue.claim(q, 'w', 60_000, 10))).toEqual(['now']);
    ctx.clock.advance(4999);
    expect(await store.workQueue.claim(q, 'w', 60_000, 10)).toEqual([]);
    ctx.clock.advance(1);
    expect(ids(await store.workQueue.claim(q, 'w', 60_000, 10))).toEqual(['delayed']);
  });

  it('makes an item whose lease expired claimable by another owner, counting the attempt', async () => {
    await store.workQueue.enqueue(q, 'job', { step: 1 });
    expect(await store.workQueue.claim(q, 'dead-worker', 1000, 1)).toMatchObject([
      { id: 'job', attempts: 1 },
    ]);
    ctx.clock.advance(999);
    expect(await store.workQueue.claim(q, 'other', 1000, 1)).toEqual([]);
    ctx.clock.advance(1);
    const [again] = await store.workQueue.claim(q, 'other', 1000, 1);
    expect(again).toStrictEqual({
      id: 'job',
      owner: 'other',
      payload: { step: 1 },
      attempts: 2,
      enqueuedAt: ctx.clock.now() - 1000,
    });
    // The new lease runs from the new claim.
    ctx.clock.advance(999);
    expect(await store.workQueue.claim(q, 'third', 1000, 1)).toEqual([]);
    expect(await store.workQueue.size(q)).toBe(1);
  });

  it('never gives one item to two claimers running in parallel', async () => {
    for (let i = 0; i < 30; i++) await store.workQueue.enqueue(q, `item-${String(i).padStart(2, '0')}`, i);
    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, w) => store.workQueue.claim(q, `worker-${w}`, 60_000, 7)),
    );
    const all = claims.flatMap(ids);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(30);
    expect(claims.flat().every((i) => i.attempts === 1)).toBe(true);
  });

  it('releases an item: runnable again at once, or from a future notBefore, attempts kept', async () => {
    await store.workQueue.enqueue(q, 'a', 'a');
    await store.workQueue.enqueue(q, 'b', 'b');
    const [a, b] = await store.workQueue.claim(q, 'w1', 60_000, 2);
    expect(await store.workQueue.release(q, a!)).toBe(true);
    const start = ctx.clock.now();
    expect(await store.workQueue.release(q, b!, start + 10_000)).toBe(true);
    expect(await store.workQueue.claim(q, 'w2', 60_000, 10)).toMatchObject([{ id: 'a', attempts: 2 }]);
    ctx.clock.advance(9_999);
    expect(await store.workQueue.claim(q, 'w2', 60_000, 10)).toEqual([]);
    ctx.clock.advance(1);
    expect(await store.workQueue.claim(q, 'w2', 60_000, 10)).toMatchObject([{ id: 'b', attempts: 2 }]);
    expect(await store.workQueue.release(q, { id: 'unknown', owner: 'w1', attempts: 1 })).toBe(false);
    expect(await store.workQueue.size(q)).toBe(2);
  });

  it('puts a released item back in its place in line', async () => {
    for (const id of ['first', 'second', 'third']) {
      await store.workQueue.enqueue(q, id, id);
      ctx.clock.advance(1);
    }
    const [first] = await store.workQueue.claim(q, 'w', 60_000, 1);
    await store.workQueue.release(q, first!);
    expect(ids(await store.workQueue.claim(q, 'w', 60_000, 3))).toEqual(['first', 'second', 'third']);
  });

  it('lets only the current claim settle an item: a holder whose lease expired and was re-claimed cannot', async () => {
    await store.workQueue.enqueue(q, 'job', 1);
    const [stale] = await store.workQueue.claim(q, 'server-a', 1000, 1);
    ctx.clock.advance(1000);
    // Claimed again after the lease ran out, even by the same owner name: a new claim.
    const [current] = await store.workQueue.claim(q, 'server-a', 1000, 1);
    expect(current).toMatchObject({ id: 'job', owner: 'server-a', attempts: 2 });
    expect(await store.workQueue.complete(q, stale!)).toBe(false);
    expect(await store.workQueue.release(q, stale!)).toBe(false);
    expect(await store.workQueue.renew(q, stale!, 60_000)).toBe(false);
    expect(await store.workQueue.complete(q, { ...current!, owner: 'server-b' })).toBe(false);
    expect(await store.workQueue.size(q)).toBe(1);
    expect(await store.workQueue.complete(q, current!)).toBe(true);
    expect(await store.workQueue.size(q)).toBe(0);
  });

  it('renews a held lease from now, so nobody else claims the item meanwhile', async () => {
    await store.workQueue.enqueue(q, 'long', 1);
    const [held] = await store.workQueue.claim(q, 'runner', 1000, 1);
    ctx.clock.advance(900);
    expect(await store.workQueue.renew(q, held!, 1000)).toBe(true);
    ctx.clock.advance(900); // past the first lease, within the renewed one
    expect(await store.workQueue.claim(q, 'other', 1000, 1)).toEqual([]);
    ctx.clock.advance(100);
    expect(await store.workQueue.claim(q, 'other', 1000, 1)).toMatchObject([{ id: 'long', attempts: 2 }]);
    // A holder whose lease ran out but was not claimed again still holds it.
    await store.workQueue.enqueue(q, 'late', 2);
    const [late] = await store.workQueue.claim(q, 'slow', 1000, 1);
    ctx.clock.advance(5000);
    expect(await store.workQueue.complete(q, late!)).toBe(true);
  });
}
