import { beforeEach, expect, it } from 'vitest';
import type { MetadataStore } from '../../ports/metadata-store.js';
import type { ConformanceContext } from './context.js';

/** MetricStore: `series` is in timestamp order, same-timestamp points in append order; NaN survives. */
export function metricCases(ctx: ConformanceContext): void {
  let store: MetadataStore;
  beforeEach(() => {
    store = ctx.store();
  });

  it('appends points and returns series in time order, per job and per metric', async () => {
    await store.metrics.append('job', [
      { MetricName: 'train:loss', Value: 0.5, Timestamp: 20 },
      { MetricName: 'validation:auc', Value: 0.9, Timestamp: 15 },
    ]);
    await store.metrics.append('job', [{ MetricName: 'train:loss', Value: 0.25, Timestamp: 10 }]);
    await store.metrics.append('other', [{ MetricName: 'train:loss', Value: 9, Timestamp: 1 }]);
    await store.metrics.append('job', []);
    expect(await store.metrics.series('job')).toEqual([
      { MetricName: 'train:loss', Value: 0.25, Timestamp: 10 },
      { MetricName: 'validation:auc', Value: 0.9, Timestamp: 15 },
      { MetricName: 'train:loss', Value: 0.5, Timestamp: 20 },
    ]);
    expect((await store.metrics.series('job', 'train:loss')).map((p) => p.Value)).toEqual([0.25, 0.5]);
    expect(await store.metrics.series('nobody')).toEqual([]);
  });

  it('keeps append order for equal timestamps and non-finite values', async () => {
    const points = [Number.NaN, Number.POSITIVE_INFINITY, -1e-300, 1 / 3].map((Value) => ({
      MetricName: 'm',
      Value,
      Timestamp: 1_700_000_000_000,
    }));
    await store.metrics.append('job', points);
    expect(await store.metrics.series('job', 'm')).toEqual(points);
  });
}
