import type { EndpointState } from '../domain/endpoint.js';
import { AwsError } from '../errors/aws-error.js';
import type { EndpointFleet, InferenceRouter } from '../ports/endpoint-fleet.js';
import type { Logger } from '../ports/logger.js';
import type { ResourceStore, WorkItem, WorkLease, WorkQueueStore } from '../ports/metadata-store.js';
import type { ObjectStore } from '../ports/object-store.js';
import { asyncLocations, parseS3Object } from './async/locations.js';
import { type AsyncRequest, type RunDeps, type RunOutcome, runAsyncRequest } from './async/run-request.js';
import type { InvocationRecorder } from './endpoint-metrics.js';

/**
 * Asynchronous inference (InvokeEndpointAsync). A request is written to the durable work queue
 * before the 202 is answered, so an acknowledged request survives `kill -9`. A dispatcher claims
 * items with a short lease, renews the lease while the model runs, writes the output (or failure)
 * object, then completes the item; items leased by a server that died are claimed again once
 * their lease runs out. Delivery is at least once: a request interrupted by a crash runs again
 * and overwrites its output object.
 *
 * Concurrency: at most `MaxConcurrentInvocationsPerInstance` (default 4) requests per running
 * instance of the endpoint, over all variants; with no instance running, requests wait queued.
 */

/** SageMaker's default and bounds for the request headers. */
export const ASYNC_LIMITS = {
  requestTtlSeconds: { min: 60, max: 21_600, default: 21_600 },
  invocationTimeoutSeconds: { min: 1, max: 3_600, default: 900 },
} as const;

/** Lathe's choice when ClientConfig.MaxConcurrentInvocationsPerInstance is absent. */
export const DEFAULT_CONCURRENT_INVOCATIONS_PER_INSTANCE = 4;

/** InvokeEndpointAsync's input, headers already validated. */
export interface AsyncInvocationInput {
  readonly inputLocation: string;
  readonly contentType?: string;
  readonly accept?: string;
  readonly customAttributes?: string;
  readonly inferenceId?: string;
  readonly requestTtlSeconds?: number;
  readonly invocationTimeoutSeconds?: number;
  readonly outputPathExtension?: string;
  readonly filename?: string;
}

export interface AsyncInvocationAccepted {
  readonly inferenceId: string;
  readonly outputLocation: string;
  readonly failureLocation: string;
}

export interface AsyncInvocationDeps {
  readonly queue: WorkQueueStore;
  readonly resources: ResourceStore;
  readonly objects: ObjectStore;
  readonly router: InferenceRouter;
  readonly fleet: Pick<EndpointFleet, 'state'>;
  readonly metrics?: InvocationRecorder;
  readonly logger?: Logger;
  readonly accountId: string;
  readonly region: string;
  readonly now?: () => number;
  /** Lease of a claimed item; renewed every third of it while the request runs. Default 30 s. */
  readonly leaseMs?: number;
  /** How often queues are looked at without a wake-up (restarts, other servers). Default 1 s. */
  readonly pollMs?: number;
  /** Claims after which a request fails instead of running again (a poison request). Default 10. */
  readonly maxAttempts?: number;
  /** Async payloads are at most 1 GB in SageMaker. */
  readonly maxInputBytes?: number;
  /** Data capture of answered requests (the endpoint's DataCaptureConfig). */
  readonly capture?: RunDeps['capture'];
}

export interface AsyncEndpointStats {
  readonly endpoint: string;
  readonly outcomes: Readonly<Record<RunOutcome['kind'], number>>;
  readonly running: number;
  readonly backlog: number;
}

const servingStatuses = ['InService', 'Updating', 'SystemUpdating'];
const queueOf = (endpoint: string) => `async-inference/${endpoint}`;

interface Running {
  readonly endpoint: string;
  readonly lease: WorkLease;
  abandoned: boolean;
  /** The lease was claimed by another runner (ours expired): this run must not settle the item. */
  lost: boolean;
  renewal: Promise<void>;
}

export function createAsyncInvocationService(deps: AsyncInvocationDeps) {
  const now = deps.now ?? Date.now;
  const leaseMs = deps.leaseMs ?? 30_000;
  const pollMs = deps.pollMs ?? 1_000;
  const maxAttempts = deps.maxAttempts ?? 10;
  const maxInputBytes = deps.maxInputBytes ?? 1024 * 1024 * 1024;
  const owner = `lathe-${globalThis.crypto.randomUUID()}`;
  const logGroupArn = (endpoint: string) =>
    `arn:aws:logs:${deps.region}:${deps.accountId}:log-group:/aws/sagemaker/Endpoints/${endpoint}`;
  /** Model slots in use per endpoint (held until the model call settles, even after a timeout). */
  const slots = new Map<string, number>();
  const running = new Set<Running>();
  const outcomes = new Map<string, Record<RunOutcome['kind'], number>>();
  /** Async endpoints seen by the last dispatch, for the backlog gauge. */
  let known: readonly string[] = [];
  let started = false;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ticking: Promise<void> | undefined;
  let again = false;

  function capacity(endpoint: string, perInstance: number): number {
    let instances = 0;
    for (const v of deps.fleet.state(endpoint) ?? []) instances += v.currentInstanceCount;
    return perInstance * instances - (slots.get(endpoint) ?? 0);
  }

  function count(endpoint: string, kind: RunOutcome['kind']): void {
    let c = outcomes.get(endpoint);
    if (!c) {
      c = { succeeded: 0, failed: 0, expired: 0, retry: 0 };
      outcomes.set(endpoint, c);
    }
    c[kind]++;
  }

  async function run(endpoint: string, item: WorkItem<AsyncRequest>): Promise<void> {
    const queue = queueOf(endpoint);
    const entry: Running = {
      endpoint,
      lease: item,
      abandoned: false,
      lost: false,
      renewal: Promise.resolve(),
    };
    running.add(entry);
    // Renewed every third of a lease: if this server dies, the item is claimable once the
    // lease runs out.
    const renew = setInterval(() => {
      entry.renewal = entry.renewal
        .then(async () => {
          if (entry.abandoned || entry.lost) return;
          if (!(await deps.queue.renew(queue, item, leaseMs))) {
            entry.lost = true;
            deps.logger?.warn('an async request was claimed by another runner while this one ran it', {
              endpoint,
              inferenceId: item.payload.inferenceId,
            });
          }
        })
        .catch((e: unknown) => deps.logger?.warn('could not renew an async lease', { error: String(e) }));
    }, leaseMs / 3);
    renew.unref();
    let settled = false;
    const onModelSettled = () => {
      if (settled) return;
      settled = true;
      slots.set(endpoint, (slots.get(endpoint) ?? 1) - 1);
      wake();
    };
    let outcome: RunOutcome;
    try {
      if (item.attempts > maxAttempts) {
        onModelSettled();
        const reason = `The request was started ${item.attempts - 1} times without finishing (the server stopped while running it each time); it is not tried again.`;
        const where = parseS3Object(item.payload.failureLocation);
        if (where) {
          await deps.objects.putObject(where.bucket, where.key, Buffer.from(reason), {
            contentType: 'text/plain; charset=utf-8',
          });
        }
        outcome = { kind: 'failed', reason };
      } else {
        outcome = await runAsyncRequest(
          {
            objects: deps.objects,
            router: deps.router,
            ...(deps.metrics ? { metrics: deps.metrics } : {}),
            ...(deps.capture ? { capture: deps.capture } : {}),
            now,
            maxInputBytes,
            logGroupArn,
            onModelSettled,
            abandoned: () => entry.abandoned,
          },
          item.payload,
          item.enqueuedAt,
        );
      }
    } catch (e) {
      onModelSettled();
      deps.logger?.error('an async inference request could not be written', {
        endpoint,
        inferenceId: item.payload.inferenceId,
        error: String(e),
      });
      // The output or failure object could not be written (e.g. the bucket is gone): retrying
      // would not help, and the client polls in vain either way.
      outcome = { kind: 'failed', reason: String(e) };
    } finally {
      clearInterval(renew);
    }
    await entry.renewal;
    running.delete(entry);
    if (entry.abandoned || entry.lost) return;
    count(endpoint, outcome.kind);
    try {
      if (outcome.kind === 'retry') await deps.queue.release(queue, item, now() + 2_000);
      else await deps.queue.complete(queue, item);
    } catch (e) {
      deps.logger?.warn('could not settle an async work item', { endpoint, error: String(e) });
    }
  }

  async function asyncEndpoints(): Promise<{ name: string; perInstance: number }[]> {
    const list = await deps.resources.list<EndpointState>('endpoint', { statusIn: servingStatuses });
    const out: { name: string; perInstance: number }[] = [];
    for (const e of list) {
      const config = e.record.deployment.asyncInference;
      if (!config) continue;
      out.push({
        name: e.name,
        perInstance:
          config.ClientConfig?.MaxConcurrentInvocationsPerInstance ??
          DEFAULT_CONCURRENT_INVOCATIONS_PER_INSTANCE,
      });
    }
    return out;
  }

  async function tick(): Promise<void> {
    const endpoints = await asyncEndpoints();
    known = endpoints.map((e) => e.name);
    for (const { name, perInstance } of endpoints) {
      if (closed) return;
      const free = capacity(name, perInstance);
      if (free <= 0) continue;
      const items = await deps.queue.claim<AsyncRequest>(queueOf(name), owner, leaseMs, free);
      if (closed) {
        // Claimed while closing: hand them straight back.
        await Promise.all(items.map((i) => deps.queue.release(queueOf(name), i)));
        return;
      }
      for (const item of items) {
        slots.set(name, (slots.get(name) ?? 0) + 1);
        void run(name, item);
      }
    }
  }

  /** Runs a tick now, or right after the one in progress; then polls again after `pollMs`. */
  function wake(): void {
    if (!started || closed) return;
    if (ticking) {
      again = true;
      return;
    }
    clearTimeout(timer);
    ticking = tick()
      .catch((e: unknown) => deps.logger?.warn('async inference dispatch failed', { error: String(e) }))
      .finally(() => {
        ticking = undefined;
        if (closed) return;
        if (again) {
          again = false;
          wake();
        } else {
          timer = setTimeout(wake, pollMs);
          timer.unref();
        }
      });
  }

  return {
    /**
     * InvokeEndpointAsync: validates the endpoint, stores the request durably, and answers where
     * its output and failure objects will appear.
     */
    async submit(endpoint: string, input: AsyncInvocationInput): Promise<AsyncInvocationAccepted> {
      if (closed) throw new AwsError('ServiceUnavailable', 'Lathe is shutting down.');
      const stored = await deps.resources.get<EndpointState>('endpoint', endpoint);
      if (!stored || stored.status === 'Deleting') {
        throw new AwsError('ValidationError', `Endpoint ${endpoint} of account ${deps.accountId} not found.`);
      }
      const config = stored.record.deployment.asyncInference;
      if (!config) {
        throw new AwsError(
          'ValidationError',
          `Endpoint ${endpoint} is not an asynchronous endpoint: its endpoint configuration has no AsyncInferenceConfig. Use InvokeEndpoint.`,
        );
      }
      if (stored.status === 'Failed') {
        throw new AwsError(
          'ValidationError',
          `Endpoint ${endpoint} is in status Failed and cannot be invoked.`,
        );
      }
      const inferenceId = input.inferenceId ?? globalThis.crypto.randomUUID();
      const locations = asyncLocations(config.OutputConfig, inferenceId, {
        ...(input.outputPathExtension === undefined ? {} : { extension: input.outputPathExtension }),
        ...(input.filename === undefined ? {} : { filename: input.filename }),
      });
      if (typeof locations === 'string') throw new AwsError('ValidationError', locations);
      const request: AsyncRequest = {
        endpoint,
        inferenceId,
        inputLocation: input.inputLocation,
        ...(input.contentType === undefined ? {} : { contentType: input.contentType }),
        ...(input.accept === undefined ? {} : { accept: input.accept }),
        ...(input.customAttributes === undefined ? {} : { customAttributes: input.customAttributes }),
        ...locations,
        requestTtlSeconds: input.requestTtlSeconds ?? ASYNC_LIMITS.requestTtlSeconds.default,
        invocationTimeoutSeconds:
          input.invocationTimeoutSeconds ?? ASYNC_LIMITS.invocationTimeoutSeconds.default,
        receivedAt: now(),
      };
      // The item id is ours, not the InferenceId: clients may reuse an InferenceId.
      await deps.queue.enqueue(queueOf(endpoint), globalThis.crypto.randomUUID(), request);
      wake();
      return { inferenceId, ...locations };
    },

    /** Starts dispatching (after recovery, once the server accepts requests). */
    start(): void {
      if (started) return;
      started = true;
      wake();
    },

    /**
     * Per async endpoint: requests finished by outcome since start, requests running now, and the
     * backlog (queued, leased or not: ApproximateBacklogSize).
     */
    async stats(): Promise<AsyncEndpointStats[]> {
      const endpoints = new Set([...known, ...outcomes.keys()]);
      const out: AsyncEndpointStats[] = [];
      for (const endpoint of endpoints) {
        out.push({
          endpoint,
          outcomes: outcomes.get(endpoint) ?? { succeeded: 0, failed: 0, expired: 0, retry: 0 },
          running: [...running].filter((r) => r.endpoint === endpoint).length,
          backlog: await deps.queue.size(queueOf(endpoint)),
        });
      }
      return out;
    },

    /**
     * Stops claiming and gives every running request back to the queue, runnable at once: the
     * next server (or this one restarted) runs it again. Call before the fleet stops.
     */
    async close(): Promise<void> {
      closed = true;
      clearTimeout(timer);
      await ticking;
      const entries = [...running];
      for (const e of entries) e.abandoned = true;
      await Promise.all(
        entries.map(async (e) => {
          await e.renewal;
          await deps.queue.release(queueOf(e.endpoint), e.lease).catch((err: unknown) => {
            deps.logger?.warn('could not release an async work item', { error: String(err) });
          });
        }),
      );
    },
  };
}

export type AsyncInvocationService = ReturnType<typeof createAsyncInvocationService>;
