import type { VariantCounters } from '../services/endpoint-metrics.js';
import type { MetricFamily, Sample } from './prometheus-text.js';

/** The endpoint metric families of /metrics, labelled `endpoint` and `variant`. */
export function endpointFamilies(counters: readonly VariantCounters[]): MetricFamily[] {
  const samples = (value: (c: VariantCounters) => number, suffix?: string): Sample[] =>
    counters.map((c) => ({
      labels: { endpoint: c.endpoint, variant: c.variant },
      value: value(c),
      ...(suffix === undefined ? {} : { suffix }),
    }));
  const summary = (
    name: string,
    help: string,
    sum: (c: VariantCounters) => number,
    count: (c: VariantCounters) => number,
  ): MetricFamily => ({
    name,
    help,
    type: 'summary',
    samples: [...samples(sum, '_sum'), ...samples(count, '_count')],
  });
  return [
    {
      name: 'lathe_endpoint_invocations_total',
      help: 'InvokeEndpoint requests (real-time and async) that reached a variant (CloudWatch Invocations).',
      type: 'counter',
      samples: samples((c) => c.invocations),
    },
    {
      name: 'lathe_endpoint_invocation_4xx_errors_total',
      help: 'Invocations whose model answered 4xx (CloudWatch Invocation4XXErrors).',
      type: 'counter',
      samples: samples((c) => c.errors4xx),
    },
    {
      name: 'lathe_endpoint_invocation_5xx_errors_total',
      help: 'Invocations whose model answered 5xx or failed (CloudWatch Invocation5XXErrors).',
      type: 'counter',
      samples: samples((c) => c.errors5xx),
    },
    summary(
      'lathe_endpoint_model_latency_microseconds',
      'Time spent in the model instance (CloudWatch ModelLatency).',
      (c) => c.modelLatencySumUs,
      (c) => c.modelLatencyCount,
    ),
    summary(
      'lathe_endpoint_overhead_latency_microseconds',
      'Time spent in Lathe around the model (CloudWatch OverheadLatency).',
      (c) => c.overheadLatencySumUs,
      (c) => c.overheadLatencyCount,
    ),
    {
      name: 'lathe_endpoint_invocations_per_instance',
      help: 'Invocations per minute per instance over the last minute (SageMakerVariantInvocationsPerInstance).',
      type: 'gauge',
      samples: samples((c) => c.invocationsPerInstance),
    },
  ];
}
