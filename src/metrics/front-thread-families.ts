import type { MetricFamily } from './prometheus-text.js';

/** `lathe_http_front_requests_total{outcome}`: requests the HTTP front threads answered or passed on. */
export function frontThreadFamilies(counts: {
  readonly answered: number;
  readonly passedOn: number;
}): MetricFamily[] {
  return [
    {
      name: 'lathe_http_front_requests_total',
      help: 'Requests accepted by HTTP front threads: answered there (InvokeEndpoint of in-process models) or passed on to the main thread.',
      type: 'counter',
      samples: [
        { labels: { outcome: 'answered' }, value: counts.answered },
        { labels: { outcome: 'passed_on' }, value: counts.passedOn },
      ],
    },
  ];
}
