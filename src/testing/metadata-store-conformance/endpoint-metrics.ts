import { beforeEach, expect, it } from 'vitest';
import type { MetadataStore, MetricAggregate } from '../../ports/metadata-store.js';
import type { ConformanceContext } from './context.js';

const minute = 60_000;
const t0 = 1_700_000_040_000; // a minute boundary

/**
 * EndpointMetricStore. `add` merges into the stored minute (sums and counts add up, min of mins,
 * max of maxes), also between aggregates of one call; `query` takes minutes in [start, end) and
 * orders by minute, then variant, then metric.
 */
export function endpointMetricCases(ctx: ConformanceContext): void {
  let store: MetadataStore;
  beforeEach(() => {
    store = ctx.store();
  });
  const all = (endpoint = 'ep') =>
    store.endpointMetrics.query(endpoint, { start: 0, end: Number.MAX_SAFE_INTEGER });

  it('stores aggregates and reads them back exactly', async () => {
    const a = agg('AllTraffic', 'ModelLatency', t0, { sum: 1234.5, count: 3, min: 100.25, max: 900 });
    await store.endpointMetrics.add([a]);
    await store.endpointMetrics.add([]);
    expect(await all()).toStrictEqual([a]);
    expect(await all('other')).toEqual([]);
  });

  it('merges into the stored minute: sums and counts add, min of mins, max of maxes', async () => {
    await store.endpointMetrics.add([agg('v', 'ModelLatency', t0, { sum: 10, count: 2, min: 4, max: 6 })]);
    await store.endpointMetrics.add([agg('v', 'ModelLatency', t0, { sum: 30, count: 3, min: 5, max: 20 })]);
    await store.endpointMetrics.add([agg('v', 'ModelLatency', t0, { sum: 1, count: 1, min: 1, max: 1 })]);
    expect(await all()).toStrictEqual([agg('v', 'ModelLatency', t0, { sum: 41, count: 6, min: 1, max: 20 })]);
  });

  it('merges aggregates of one minute within a single call, and keeps other minutes apart', async () => {
    await store.endpointMetrics.add([
      agg('v', 'Invocations', t0, { sum: 2, count: 2, min: 1, max: 1 }),
      agg('v', 'Invocations', t0 + minute, { sum: 1, count: 1, min: 1, max: 1 }),
      agg('v', 'Invocations', t0, { sum: 5, count: 5, min: 1, max: 1 }),
      agg('v', 'Invocations', t0, { sum: -3, count: 1, min: -3, max: -3 }),
    ]);
    expect(await all()).toStrictEqual([
      agg('v', 'Invocations', t0, { sum: 4, count: 8, min: -3, max: 1 }),
      agg('v', 'Invocations', t0 + minute, { sum: 1, count: 1, min: 1, max: 1 }),
    ]);
  });

  it('keeps fractional sums and large counts', async () => {
    await store.endpointMetrics.add([agg('v', 'm', t0, { sum: 0.1, count: 2 ** 40, min: 0.1, max: 0.1 })]);
    await store.endpointMetrics.add([agg('v', 'm', t0, { sum: 0.2, count: 2 ** 40, min: 0.2, max: 0.2 })]);
    const [row] = await all();
    expect(row?.sum).toBeCloseTo(0.3, 12);
    expect(row).toMatchObject({ count: 2 ** 41, min: 0.1, max: 0.2 });
  });

  it('loses no count when adds to one minute run concurrently', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.endpointMetrics.add([agg('v', 'Invocations', t0, { sum: 1, count: 1, min: i, max: i })]),
      ),
    );
    expect(await all()).toStrictEqual([agg('v', 'Invocations', t0, { sum: 20, count: 20, min: 0, max: 19 })]);
  });

  it('queries [start, end) by variant and metric, ordered by minute, variant, metric', async () => {
    const one = { sum: 1, count: 1, min: 1, max: 1 };
    await store.endpointMetrics.add([
      agg('b', 'ModelLatency', t0 + minute, one),
      agg('a', 'ModelLatency', t0 + minute, one),
      agg('b', 'Invocations', t0, one),
      agg('a', 'ModelLatency', t0, one),
      agg('a', 'Invocations', t0, one),
      agg('a', 'Invocations', t0 + 2 * minute, one),
      agg('a', 'Invocations', t0 - minute, one),
      { ...agg('a', 'Invocations', t0, one), endpoint: 'other-ep' },
    ]);
    const keys = (rows: MetricAggregate[]) => rows.map((r) => `${r.minute - t0} ${r.variant} ${r.metric}`);
    const query = (o: Parameters<MetadataStore['endpointMetrics']['query']>[1]) =>
      store.endpointMetrics.query('ep', o).then(keys);
    expect(await query({ start: t0, end: t0 + 2 * minute })).toEqual([
      '0 a Invocations',
      '0 a ModelLatency',
      '0 b Invocations',
      `${minute} a ModelLatency`,
      `${minute} b ModelLatency`,
    ]);
    expect(await query({ variant: 'a', start: t0, end: t0 + 3 * minute })).toEqual([
      '0 a Invocations',
      '0 a ModelLatency',
      `${minute} a ModelLatency`,
      `${2 * minute} a Invocations`,
    ]);
    expect(await query({ metric: 'Invocations', start: t0 - minute, end: t0 + minute })).toEqual([
      `${-minute} a Invocations`,
      '0 a Invocations',
      '0 b Invocations',
    ]);
    expect(await query({ variant: 'b', metric: 'ModelLatency', start: 0, end: t0 + 10 * minute })).toEqual([
      `${minute} b ModelLatency`,
    ]);
    expect(await query({ start: t0, end: t0 })).toEqual([]);
  });
}

function agg(
  variant: string,
  metric: string,
  at: number,
  values: Pick<MetricAggregate, 'sum' | 'count' | 'min' | 'max'>,
): MetricAggregate {
  return { endpoint: 'ep', variant, metric, minute: at, ...values };
}
