import { afterEach, beforeEach, describe } from 'vitest';
import type { MetadataStore } from '../ports/metadata-store.js';
import { TestClock } from './metadata-store-conformance/context.js';
import { endpointMetricCases } from './metadata-store-conformance/endpoint-metrics.js';
import { logCases } from './metadata-store-conformance/logs.js';
import { metricCases } from './metadata-store-conformance/metrics.js';
import { resourceCases } from './metadata-store-conformance/resources.js';
import { tagCases } from './metadata-store-conformance/tags.js';
import { trainingJobCases } from './metadata-store-conformance/training-jobs.js';
import { workQueueCases } from './metadata-store-conformance/work-queue.js';

/** What the suite hands the factory. */
export interface MetadataStoreFactoryOptions {
  /**
   * The clock (epoch ms) the store must use for every time it stamps itself: log ingestion,
   * and the work queue's enqueue times, not-before defaults and lease expiry. Tests move it.
   */
  readonly now: () => number;
}

/** Opens a fresh, empty store on the given clock; the suite closes it after each test. */
export type MetadataStoreFactory = (options: MetadataStoreFactoryOptions) => Promise<MetadataStore>;

/**
 * The behaviour every `MetadataStore` adapter must have. Call it inside a `describe` of the
 * adapter's test file; each test gets a new store from `factory`. The semantics the port leaves
 * implicit, and this suite pins down, are listed on each group of cases in
 * `metadata-store-conformance/`.
 */
export function metadataStoreConformance(factory: MetadataStoreFactory): void {
  const clock = new TestClock();
  let store: MetadataStore | undefined;
  beforeEach(async () => {
    clock.reset();
    store = await factory({ now: () => clock.now() });
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });
  const context = {
    store: (): MetadataStore => {
      if (store === undefined) throw new Error('The store is only open while a test runs.');
      return store;
    },
    clock,
  };

  describe('training jobs', () => trainingJobCases(context));
  describe('tags', () => tagCases(context));
  describe('logs', () => logCases(context));
  describe('metrics', () => metricCases(context));
  describe('resources', () => resourceCases(context));
  describe('work queue', () => workQueueCases(context));
  describe('endpoint metrics', () => endpointMetricCases(context));
}
