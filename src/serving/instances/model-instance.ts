import type { InvocationRequest } from '../../ports/endpoint-fleet.js';
import type { LaneRecipe } from '../inline-lanes.js';

/** The rejection of a request sent to an instance that is draining: the router retries elsewhere. */
export const INSTANCE_STOPPING = 'instance is stopping';

/** What a model instance answers, before the router adds the variant name. */
export interface InstanceReply {
  readonly status: number;
  readonly body: Buffer;
  readonly contentType: string;
  readonly customAttributes?: string;
  /** A streamed answer (requests with `stream` only): its parts in order; `body` is then empty. */
  readonly chunks?: AsyncIterable<Buffer>;
}

/**
 * One running copy of a model (SageMaker's "instance"): a worker thread or a child process
 * with the model loaded. Instances are started by a factory and report their own death.
 */
export interface ModelInstance {
  readonly id: string;
  /** Requests sent and not yet answered. */
  readonly outstanding: number;
  /** The instance's in-process lane, as data (thread instances of pure models only). */
  readonly inlineRecipe?: LaneRecipe | undefined;
  invoke(request: InvocationRequest): Promise<InstanceReply>;
  /** Resolves when the instance has stopped (asked to, or crashed). */
  readonly exited: Promise<{ expected: boolean; reason: string }>;
  /** Stops taking requests, lets in-flight ones finish (up to `graceMs`), then ends. */
  stop(graceMs: number): Promise<void>;
}

/** Starts an instance; resolves once it passed its health check (model loaded). */
export type InstanceFactory = (id: string) => Promise<ModelInstance>;
