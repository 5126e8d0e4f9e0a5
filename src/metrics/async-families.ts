import type { AsyncEndpointStats } from '../services/async-invocations.js';
import type { MetricFamily } from './prometheus-text.js';

/** Async inference families of /metrics, labelled `endpoint`. */
export function asyncFamilies(stats: readonly AsyncEndpointStats[]): MetricFamily[] {
  return [
    {
      name: 'lathe_async_invocations_total',
      help: 'Async inference requests finished since start, by outcome (retry: given back to the queue).',
      type: 'counter',
      samples: stats.flatMap((s) =>
        Object.entries(s.outcomes).map(([outcome, value]) => ({
          labels: { endpoint: s.endpoint, outcome },
          value,
        })),
      ),
    },
    {
      name: 'lathe_async_invocations_running',
      help: 'Async inference requests this server is running now.',
      type: 'gauge',
      samples: stats.map((s) => ({ labels: { endpoint: s.endpoint }, value: s.running })),
    },
    {
      name: 'lathe_async_backlog_size',
      help: 'Async inference requests queued or running, across servers (ApproximateBacklogSize).',
      type: 'gauge',
      samples: stats.map((s) => ({ labels: { endpoint: s.endpoint }, value: s.backlog })),
    },
  ];
}
