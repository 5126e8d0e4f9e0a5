import { describe, expect, it } from 'vitest';
import type { MetricAggregate } from '../ports/metadata-store.js';
import {
  createEndpointMetricsService,
  EndpointMetricsAggregator,
  RATE_HISTORY_SECONDS,
} from './endpoint-metrics.js';

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);

function byMetric(aggregates: readonly MetricAggregate[]): Record<string, MetricAggregate> {
  return Object.fromEntries(aggregates.map((a) => [`${a.variant}/${a.metric}/${a.minute - T0}`, a]));
}

describe('EndpointMetricsAggregator', () => {
  it('aggregates one minute as CloudWatch would: sums, sample counts, min and max', () => {
    const agg = new EndpointMetricsAggregator(() => 2);
    agg.record('ep', 'v1', 200, 100, 10, T0 + 1_000);
    agg.record('ep', 'v1', 404, 300, 30, T0 + 2_000);
    agg.record('ep', 'v1', 500, 200, 20, T0 + 3_000);
    agg.record('ep', 'v1', 0, Number.NaN, Number.NaN, T0 + 4_000); // throttled: no latency
    const m = byMetric(agg.drain());
    expect(m['v1/Invocations/0']).toMatchObject({ sum: 4, count: 4, min: 1, max: 1 });
    expect(m['v1/Invocation4XXErrors/0']).toMatchObject({ sum: 1, count: 4, min: 0, max: 1 });
    expect(m['v1/Invocation5XXErrors/0']).toMatchObject({ sum: 1, count: 4, min: 0, max: 1 });
    expect(m['v1/InvocationsPerInstance/0']).toMatchObject({ sum: 2, count: 4, min: 0.5, max: 0.5 });
    expect(m['v1/ModelLatency/0']).toMatchObject({ sum: 600, count: 3, min: 100, max: 300 });
    expect(m['v1/OverheadLatency/0']).toMatchObject({ sum: 60, count: 3, min: 10, max: 30 });
    expect(agg.drain()).toEqual([]);
  });

  it('splits minutes, and hands a minute over in parts that add up', () => {
    const agg = new EndpointMetricsAggregator(() => 1);
    agg.record('ep', 'v', 200, 1, 1, T0 + 59_999);
    const first = agg.drain();
    agg.record('ep', 'v', 200, 1, 1, T0 + 59_999);
    agg.record('ep', 'v', 200, 1, 1, T0 + 60_000);
    const second = byMetric(agg.drain());
    expect(byMetric(first)['v/Invocations/0']).toMatchObject({ sum: 1, minute: T0 });
    expect(second['v/Invocations/0']).toMatchObject({ sum: 1, minute: T0 });
    expect(second['v/Invocations/60000']).toMatchObject({ sum: 1, minute: T0 + 60_000 });
  });

  it('keeps lifetime counters apart from what was drained', () => {
    const agg = new EndpointMetricsAggregator(() => 1);
    agg.record('ep', 'a', 200, 5, 1, T0);
    agg.drain();
    agg.record('ep', 'a', 400, 7, 2, T0 + 1);
    agg.record('ep', 'b', 503, 1, 1, T0 + 2);
    const counters = agg.counters(T0 + 3);
    expect(counters.find((c) => c.variant === 'a')).toMatchObject({
      invocations: 2,
      errors4xx: 1,
      errors5xx: 0,
      modelLatencySumUs: 12,
      modelLatencyCount: 2,
      overheadLatencySumUs: 3,
    });
    expect(counters.find((c) => c.variant === 'b')).toMatchObject({ invocations: 1, errors5xx: 1 });
  });

  it('answers invocations per instance per minute over a window', () => {
    let instances = 4;
    const agg = new EndpointMetricsAggregator(() => instances);
    // 120 requests over the last two minutes on 4 instances: 15 per instance per minute.
    for (let i = 0; i < 120; i++) agg.record('ep', 'v', 200, 1, 1, T0 + i * 1_000);
    const now = T0 + 119_000;
    expect(agg.invocationsPerInstance('ep', 'v', 120_000, now)).toBeCloseTo(15, 9);
    expect(agg.invocationsPerInstance('ep', 'v', 60_000, now)).toBeCloseTo(15, 9);
    // Nothing recorded after: the window slides past the requests.
    expect(agg.invocationsPerInstance('ep', 'v', 60_000, now + 200_000)).toBe(0);
    expect(agg.invocationsPerInstance('ep', 'nope', 60_000, now)).toBe(0);
    // The instance count is looked up at most once a second.
    instances = 1;
    agg.record('ep', 'v', 200, 1, 1, now + 1_500);
    expect(agg.invocationsPerInstance('ep', 'v', 1_000, now + 1_500)).toBeCloseTo(60, 9);
  });

  it('forgets history older than the ring and clamps longer windows to it', () => {
    const agg = new EndpointMetricsAggregator(() => 1);
    agg.record('ep', 'v', 200, 1, 1, T0);
    agg.record('ep', 'v', 200, 1, 1, T0 + RATE_HISTORY_SECONDS * 1000); // same slot, later second
    const now = T0 + RATE_HISTORY_SECONDS * 1000;
    const perMinute = agg.invocationsPerInstance('ep', 'v', 10 * RATE_HISTORY_SECONDS * 1000, now);
    expect(perMinute).toBeCloseTo(60 / RATE_HISTORY_SECONDS, 9);
  });

  it('treats an unknown or zero instance count as one instance', () => {
    const agg = new EndpointMetricsAggregator(() => undefined);
    agg.record('ep', 'v', 200, 1, 1, T0);
    const zero = new EndpointMetricsAggregator(() => 0);
    zero.record('ep', 'v', 200, 1, 1, T0);
    expect(byMetric(agg.drain())['v/InvocationsPerInstance/0']?.sum).toBe(1);
    expect(byMetric(zero.drain())['v/InvocationsPerInstance/0']?.sum).toBe(1);
  });
});

describe('createEndpointMetricsService', () => {
  it('flushes to the store on close and keeps aggregates a failed flush could not store', async () => {
    const stored: MetricAggregate[] = [];
    let failing = true;
    const service = createEndpointMetricsService({
      store: {
        async add(a) {
          if (failing) throw new Error('disk full');
          stored.push(...a);
        },
        async query() {
          return [];
        },
      },
      state: () => [
        {
          variantName: 'only',
          currentInstanceCount: 1,
          desiredInstanceCount: 1,
          currentWeight: 1,
          desiredWeight: 1,
        },
      ],
      now: () => T0,
    });
    service.recordInvocation('ep', 'only', 200, 10, 1);
    service.recordRouterFailure('ep', undefined, 0); // resolved to the only variant
    await service.flush();
    expect(stored).toEqual([]);
    failing = false;
    await service.close();
    const m = byMetric(stored);
    expect(m['only/Invocations/0']).toMatchObject({ sum: 2, count: 2 });
    expect(m['only/ModelLatency/0']).toMatchObject({ sum: 10, count: 1 });
  });

  it('does not guess the variant of a router failure on a multi-variant endpoint', async () => {
    const variant = (name: string) => ({
      variantName: name,
      currentInstanceCount: 1,
      desiredInstanceCount: 1,
      currentWeight: 1,
      desiredWeight: 1,
    });
    const service = createEndpointMetricsService({
      store: { add: async () => {}, query: async () => [] },
      state: () => [variant('a'), variant('b')],
      now: () => T0,
    });
    service.recordRouterFailure('ep', undefined, 500);
    expect(service.counters()).toEqual([]);
    service.recordRouterFailure('ep', 'b', 500);
    expect(service.counters()).toMatchObject([{ variant: 'b', errors5xx: 1 }]);
    await service.close();
  });
});
