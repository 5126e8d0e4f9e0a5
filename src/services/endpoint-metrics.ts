import type { VariantState } from '../ports/endpoint-fleet.js';
import type { Logger } from '../ports/logger.js';
import type { EndpointMetricStore, MetricAggregate } from '../ports/metadata-store.js';

/**
 * Endpoint metrics as SageMaker publishes them to CloudWatch (`AWS/SageMaker`, dimensions
 * EndpointName + VariantName, one-minute periods): Invocations, Invocation4XXErrors,
 * Invocation5XXErrors, InvocationsPerInstance, ModelLatency and OverheadLatency (microseconds).
 *
 * The invocation path only adds numbers to a preallocated per-variant record (two Map lookups,
 * no allocation, no I/O); minutes are handed to the metric store every few seconds and at close.
 * 4XX/5XX follow the model's own status, as AWS documents them ("the model returned a 4xx / 5xx
 * HTTP response code", monitoring-cloudwatch.html): a container 400 answered to the client as
 * ModelError (424) counts as 4XX, a container 500 (also a 424 for the client) as 5XX.
 */

/** What the invocation path calls; positional numbers so a call allocates nothing. */
export interface InvocationRecorder {
  /**
   * One InvokeEndpoint (real-time or async) that reached a variant. `status` is the model's HTTP
   * status (500 when the instance failed without one; 0 when the request was throttled before
   * reaching the model); a latency of NaN is not recorded.
   */
  recordInvocation(
    endpoint: string,
    variant: string,
    status: number,
    modelLatencyUs: number,
    overheadLatencyUs: number,
  ): void;
  /**
   * An invocation refused by the router before it named a variant (throttled, instance failed).
   * Recorded against `targetVariant`, or the endpoint's only variant; otherwise not at all.
   */
  recordRouterFailure(endpoint: string, targetVariant: string | undefined, status: number): void;
}

/** Cumulative counters of one variant since the server started, for Prometheus. */
export interface VariantCounters {
  readonly endpoint: string;
  readonly variant: string;
  readonly invocations: number;
  readonly errors4xx: number;
  readonly errors5xx: number;
  readonly modelLatencySumUs: number;
  readonly modelLatencyCount: number;
  readonly overheadLatencySumUs: number;
  readonly overheadLatencyCount: number;
  /** Average InvocationsPerInstance per minute over the last minute. */
  readonly invocationsPerInstance: number;
  readonly instances: number;
}

const MINUTE = 60_000;
/** Seconds of per-second InvocationsPerInstance history kept for the autoscaler's queries. */
export const RATE_HISTORY_SECONDS = 900;

/** One variant's numbers: lifetime counters, the unflushed part of the current minute, a rate ring. */
class Series {
  // Lifetime (Prometheus counters).
  invocations = 0;
  errors4xx = 0;
  errors5xx = 0;
  modelSum = 0;
  modelCount = 0;
  overheadSum = 0;
  overheadCount = 0;
  // The current minute since the last flush.
  minute = -1;
  n = 0;
  e4 = 0;
  e5 = 0;
  ipiSum = 0;
  ipiMin = Number.POSITIVE_INFINITY;
  ipiMax = Number.NEGATIVE_INFINITY;
  mSum = 0;
  mCount = 0;
  mMin = Number.POSITIVE_INFINITY;
  mMax = Number.NEGATIVE_INFINITY;
  oSum = 0;
  oCount = 0;
  oMin = Number.POSITIVE_INFINITY;
  oMax = Number.NEGATIVE_INFINITY;
  // InvocationsPerInstance per second, indexed by second % RATE_HISTORY_SECONDS.
  readonly ringSecond = new Float64Array(RATE_HISTORY_SECONDS).fill(-1);
  readonly ringIpi = new Float64Array(RATE_HISTORY_SECONDS);
  // Instance count, looked up at most once a second.
  instances = 1;
  instancesAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly endpoint: string,
    readonly variant: string,
  ) {}

  /** Appends the unflushed minute as aggregates and starts it over. */
  drainInto(out: MetricAggregate[]): void {
    if (this.n === 0 && this.mCount === 0 && this.oCount === 0) return;
    const { endpoint, variant, minute, n } = this;
    const base = { endpoint, variant, minute };
    if (n > 0) {
      out.push({ ...base, metric: 'Invocations', sum: n, count: n, min: 1, max: 1 });
      out.push(flagAggregate(base, 'Invocation4XXErrors', this.e4, n));
      out.push(flagAggregate(base, 'Invocation5XXErrors', this.e5, n));
      out.push({
        ...base,
        metric: 'InvocationsPerInstance',
        sum: this.ipiSum,
        count: n,
        min: this.ipiMin,
        max: this.ipiMax,
      });
    }
    if (this.mCount > 0) {
      out.push({
        ...base,
        metric: 'ModelLatency',
        sum: this.mSum,
        count: this.mCount,
        min: this.mMin,
        max: this.mMax,
      });
    }
    if (this.oCount > 0) {
      out.push({
        ...base,
        metric: 'OverheadLatency',
        sum: this.oSum,
        count: this.oCount,
        min: this.oMin,
        max: this.oMax,
      });
    }
    this.n = this.e4 = this.e5 = this.ipiSum = this.mSum = this.mCount = this.oSum = this.oCount = 0;
    this.ipiMin = this.mMin = this.oMin = Number.POSITIVE_INFINITY;
    this.ipiMax = this.mMax = this.oMax = Number.NEGATIVE_INFINITY;
  }
}

/** A 0/1-per-request metric (the error counts): Sum = errors, SampleCount = requests. */
function flagAggregate(
  base: { endpoint: string; variant: string; minute: number },
  metric: string,
  hits: number,
  n: number,
): MetricAggregate {
  return { ...base, metric, sum: hits, count: n, min: hits === n ? 1 : 0, max: hits > 0 ? 1 : 0 };
}

/**
 * The in-memory aggregation, pure: time comes in as arguments, instance counts from `instances`.
 * Not thread-safe, and need not be: one event loop records.
 */
export class EndpointMetricsAggregator {
  private readonly byEndpoint = new Map<string, Map<string, Series>>();
  /** Finished minutes not yet taken by `drain`. */
  private pending: MetricAggregate[] = [];

  constructor(private readonly instances: (endpoint: string, variant: string) => number | undefined) {}

  private series(endpoint: string, variant: string): Series {
    let variants = this.byEndpoint.get(endpoint);
    if (variants === undefined) {
      variants = new Map();
      this.byEndpoint.set(endpoint, variants);
    }
    let s = variants.get(variant);
    if (s === undefined) {
      s = new Series(endpoint, variant);
      variants.set(variant, s);
    }
    return s;
  }

  /** Records one invocation at `now` (epoch ms); see InvocationRecorder.recordInvocation. */
  record(
    endpoint: string,
    variant: string,
    status: number,
    modelLatencyUs: number,
    overheadLatencyUs: number,
    now: number,
  ): void {
    const s = this.series(endpoint, variant);
    const minute = now - (now % MINUTE);
    if (s.minute !== minute) {
      if (s.minute >= 0) s.drainInto(this.pending);
      s.minute = minute;
    }
    if (now - s.instancesAt >= 1000) {
      s.instancesAt = now;
      s.instances = Math.max(1, this.instances(endpoint, variant) ?? 1);
    }
    const ipi = 1 / s.instances;
    s.invocations++;
    s.n++;
    s.ipiSum += ipi;
    if (ipi < s.ipiMin) s.ipiMin = ipi;
    if (ipi > s.ipiMax) s.ipiMax = ipi;
    if (status >= 400 && status < 500) {
      s.errors4xx++;
      s.e4++;
    } else if (status >= 500) {
      s.errors5xx++;
      s.e5++;
    }
    if (modelLatencyUs >= 0) {
      s.modelSum += modelLatencyUs;
      s.modelCount++;
      s.mSum += modelLatencyUs;
      s.mCount++;
      if (modelLatencyUs < s.mMin) s.mMin = modelLatencyUs;
      if (modelLatencyUs > s.mMax) s.mMax = modelLatencyUs;
    }
    if (overheadLatencyUs >= 0) {
      s.overheadSum += overheadLatencyUs;
      s.overheadCount++;
      s.oSum += overheadLatencyUs;
      s.oCount++;
      if (overheadLatencyUs < s.oMin) s.oMin = overheadLatencyUs;
      if (overheadLatencyUs > s.oMax) s.oMax = overheadLatencyUs;
    }
    const second = Math.floor(now / 1000);
    const slot = second % RATE_HISTORY_SECONDS;
    if (s.ringSecond[slot] !== second) {
      s.ringSecond[slot] = second;
      s.ringIpi[slot] = 0;
    }
    s.ringIpi[slot]! += ipi;
  }

  /**
   * Everything not yet drained: finished minutes, and the current minute's part so far (the store
   * merges minutes, so a minute may be handed over in several parts).
   */
  drain(): MetricAggregate[] {
    const out = this.pending;
    this.pending = [];
    for (const variants of this.byEndpoint.values()) for (const s of variants.values()) s.drainInto(out);
    return out;
  }

  /** Gives back aggregates a failed flush could not store, keeping at most `limit` of them. */
  restore(aggregates: readonly MetricAggregate[], limit = 50_000): void {
    this.pending = [...aggregates, ...this.pending].slice(-limit);
  }

  /**
   * SageMakerVariantInvocationsPerInstance as the autoscaler reads it: InvocationsPerInstance
   * summed over the last `windowMs` (at most RATE_HISTORY_SECONDS), per minute. 0 when unknown.
   */
  invocationsPerInstance(endpoint: string, variant: string, windowMs: number, now: number): number {
    const s = this.byEndpoint.get(endpoint)?.get(variant);
    if (s === undefined || windowMs <= 0) return 0;
    const seconds = Math.min(RATE_HISTORY_SECONDS, Math.max(1, Math.round(windowMs / 1000)));
    const last = Math.floor(now / 1000);
    let sum = 0;
    for (let i = 0; i < RATE_HISTORY_SECONDS; i++) {
      const second = s.ringSecond[i]!;
      if (second > last - seconds && second <= last) sum += s.ringIpi[i]!;
    }
    return (sum * MINUTE) / (seconds * 1000);
  }

  /** Lifetime counters of every variant seen, for /metrics. */
  counters(now: number): VariantCounters[] {
    const out: VariantCounters[] = [];
    for (const variants of this.byEndpoint.values()) {
      for (const s of variants.values()) {
        out.push({
          endpoint: s.endpoint,
          variant: s.variant,
          invocations: s.invocations,
          errors4xx: s.errors4xx,
          errors5xx: s.errors5xx,
          modelLatencySumUs: s.modelSum,
          modelLatencyCount: s.modelCount,
          overheadLatencySumUs: s.overheadSum,
          overheadLatencyCount: s.overheadCount,
          invocationsPerInstance: this.invocationsPerInstance(s.endpoint, s.variant, MINUTE, now),
          instances: s.instances,
        });
      }
    }
    return out;
  }

  /** Forgets an endpoint (after DeleteEndpoint), once its minutes were drained. */
  forget(endpoint: string): void {
    const variants = this.byEndpoint.get(endpoint);
    if (!variants) return;
    for (const s of variants.values()) s.drainInto(this.pending);
    this.byEndpoint.delete(endpoint);
  }
}

export interface EndpointMetricsDeps {
  readonly store: EndpointMetricStore;
  /** The fleet's view of an endpoint (instance counts, variant names). */
  readonly state: (endpoint: string) => readonly VariantState[] | undefined;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** How often aggregates go to the store; default 10 s. */
  readonly flushMs?: number;
}

/**
 * The endpoint metrics service: records invocations in memory, flushes per-minute aggregates to
 * the metric store every `flushMs` and at `close()`, and answers the autoscaler's query.
 */
export function createEndpointMetricsService(deps: EndpointMetricsDeps) {
  const now = deps.now ?? Date.now;
  const flushMs = deps.flushMs ?? 10_000;
  const aggregator = new EndpointMetricsAggregator(
    (endpoint, variant) => deps.state(endpoint)?.find((v) => v.variantName === variant)?.currentInstanceCount,
  );
  let timer: ReturnType<typeof setInterval> | undefined;
  let flushing: Promise<void> = Promise.resolve();

  function flush(): Promise<void> {
    flushing = flushing.then(async () => {
      const aggregates = aggregator.drain();
      if (aggregates.length === 0) return;
      try {
        await deps.store.add(aggregates);
      } catch (e) {
        aggregator.restore(aggregates);
        deps.logger?.warn('could not store endpoint metrics; will retry', { error: String(e) });
      }
    });
    return flushing;
  }

  const recorder: InvocationRecorder = {
    recordInvocation(endpoint, variant, status, modelLatencyUs, overheadLatencyUs) {
      aggregator.record(endpoint, variant, status, modelLatencyUs, overheadLatencyUs, now());
    },
    recordRouterFailure(endpoint, targetVariant, status) {
      let variant = targetVariant;
      if (variant === undefined) {
        const variants = deps.state(endpoint);
        if (variants?.length !== 1) return;
        variant = variants[0]!.variantName;
      }
      aggregator.record(endpoint, variant, status, Number.NaN, Number.NaN, now());
    },
  };

  return {
    ...recorder,
    /** Average invocations per minute per instance of the variant over the last `windowMs`. */
    invocationsPerInstance(endpoint: string, variant: string, windowMs: number): number {
      return aggregator.invocationsPerInstance(endpoint, variant, windowMs, now());
    },
    /** Lifetime counters per variant, for the Prometheus exposition. */
    counters(): VariantCounters[] {
      return aggregator.counters(now());
    },
    /** Stores what was recorded so far (tests, shutdown). */
    flush,
    start(): void {
      timer ??= setInterval(() => void flush(), flushMs);
      timer.unref();
    },
    /** Stops the timer and stores the rest. */
    async close(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await flush();
    },
  };
}

export type EndpointMetricsService = ReturnType<typeof createEndpointMetricsService>;
