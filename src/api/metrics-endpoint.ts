import type { ServerResponse } from 'node:http';
import { type MetricFamily, PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '../metrics/prometheus-text.js';
import type { Logger } from '../ports/logger.js';

/** A producer of metric families; a failing source is left out of the scrape, not fatal to it. */
export type MetricsSource = () => readonly MetricFamily[] | Promise<readonly MetricFamily[]>;

/**
 * `GET /metrics`: the Prometheus exposition of every source, unauthenticated like `/health`
 * (it names endpoints and counts, never payloads or credentials).
 */
export function createMetricsEndpoint(
  sources: readonly MetricsSource[],
  logger?: Logger,
): (res: ServerResponse) => Promise<void> {
  return async (res) => {
    const families: MetricFamily[] = [];
    for (const source of sources) {
      try {
        families.push(...(await source()));
      } catch (e) {
        logger?.warn('a /metrics source failed', { error: String(e) });
      }
    }
    const text = renderPrometheus(families);
    res.writeHead(200, {
      'content-type': PROMETHEUS_CONTENT_TYPE,
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };
}
