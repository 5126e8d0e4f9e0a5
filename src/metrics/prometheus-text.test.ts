import { describe, expect, it } from 'vitest';
import { endpointFamilies } from './endpoint-families.js';
import { escapeLabelValue, renderPrometheus } from './prometheus-text.js';

describe('renderPrometheus', () => {
  it('writes HELP, TYPE and samples with escaped labels', () => {
    const text = renderPrometheus([
      {
        name: 'x_total',
        help: 'Things.',
        type: 'counter',
        samples: [{ labels: { a: 'q"b\\c\nd' }, value: 3 }],
      },
      { name: 'y', help: 'Y.', type: 'gauge', samples: [{ labels: {}, value: Number.POSITIVE_INFINITY }] },
    ]);
    expect(text).toBe(
      '# HELP x_total Things.\n# TYPE x_total counter\nx_total{a="q\\"b\\\\c\\nd"} 3\n# HELP y Y.\n# TYPE y gauge\ny +Inf\n',
    );
    expect(escapeLabelValue('plain')).toBe('plain');
  });

  it('renders endpoint summaries as _sum and _count', () => {
    const text = renderPrometheus(
      endpointFamilies([
        {
          endpoint: 'ep',
          variant: 'v',
          invocations: 3,
          errors4xx: 1,
          errors5xx: 0,
          modelLatencySumUs: 1500,
          modelLatencyCount: 3,
          overheadLatencySumUs: 90,
          overheadLatencyCount: 3,
          invocationsPerInstance: 1.5,
          instances: 2,
        },
      ]),
    );
    expect(text).toContain('lathe_endpoint_invocations_total{endpoint="ep",variant="v"} 3\n');
    expect(text).toContain('lathe_endpoint_invocation_4xx_errors_total{endpoint="ep",variant="v"} 1\n');
    expect(text).toContain('# TYPE lathe_endpoint_model_latency_microseconds summary\n');
    expect(text).toContain('lathe_endpoint_model_latency_microseconds_sum{endpoint="ep",variant="v"} 1500\n');
    expect(text).toContain('lathe_endpoint_model_latency_microseconds_count{endpoint="ep",variant="v"} 3\n');
    expect(text).toContain('lathe_endpoint_invocations_per_instance{endpoint="ep",variant="v"} 1.5\n');
  });
});
