import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AwsError, isAwsError } from '../errors/aws-error.js';
import type {
  DeploymentPlan,
  EndpointFleet,
  InferenceRouter,
  InvocationRequest,
  InvocationResult,
  ModelSpec,
  TrafficShift,
  VariantSpec,
  VariantState,
} from '../ports/endpoint-fleet.js';
import type { Logger } from '../ports/logger.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { LaneRecipe } from './inline-lanes.js';
import type { InstanceFactory, ModelInstance } from './instances/model-instance.js';
import { INSTANCE_STOPPING } from './instances/model-instance.js';
import { variantInstanceFactory } from './variant-factories.js';
import { VariantPool } from './variant-pool.js';
import { pickByWeight } from './weighted-pick.js';

/** Makes the instance factory of a model once its directory is ready. */
export type InstanceFactoryFor = (
  model: ModelSpec,
  modelDir: string,
  context: { endpointName: string; variantName: string },
) => InstanceFactory;

export interface EmbeddedFleetDeps {
  readonly objects: ObjectStore;
  readonly logger: Logger;
  readonly dataDir: string;
  readonly accountId: string;
  readonly factoryFor: InstanceFactoryFor;
  /** SageMaker gives instances 30 s to finish in-flight requests when they are removed. */
  readonly stopGraceMs: number;
  /** Requests queued on one instance before the variant answers ThrottlingException. */
  readonly maxOutstandingPerInstance: number;
  /** How long a request waits for an instance while one is (re)starting. */
  readonly instanceWaitMs: number;
  /** A serverless variant with no request for this long scales back to zero (or its provisioned concurrency). */
  readonly serverlessIdleMs: number;
  /** Models a multi-model instance keeps loaded; the least recently used goes beyond it. */
  readonly multiModelCapacity: number;
  /**
   * Which deployment serves an endpoint changed (deployed, switched, shifting, re-weighted,
   * removed); awaited before the old deployment goes, so that copies of the routing made from
   * frontRoute() never lag behind an answered change.
   */
  readonly onRoutingChange?: (endpointName: string) => Promise<void>;
  /** A shadow variant answered a copied request (status, ModelLatency µs): for its metrics. */
  readonly onShadowInvocation?: (
    endpoint: string,
    variant: string,
    status: number,
    modelLatencyUs: number,
  ) => void;
}

/**
 * An endpoint whose every variant answers in process, as data another thread can route with:
 * each variant's weight and lane. Copies answer exactly what the fleet would.
 */
export interface FrontRoute {
  readonly variants: readonly { readonly name: string; readonly weight: number; readonly lane: LaneRecipe }[];
}

interface Deployment {
  readonly generation: number;
  readonly dir: string;
  readonly pools: ReadonlyMap<string, VariantPool>;
  readonly order: readonly VariantPool[];
  /** The shadow variant (not in `pools`: no request targets it) and the share copied to it. */
  readonly shadow?: { readonly pool: VariantPool; readonly share: number };
}

/**
 * The embedded serving fleet: endpoints → variants → instances in this process (worker
 * threads) or beside it (child processes). Deployments are blue/green: a new one is
 * built next to the old, traffic switches in one assignment, then the old one drains.
 */
export class EmbeddedFleet implements EndpointFleet, InferenceRouter {
  private readonly endpoints = new Map<string, Deployment>();
  /** Canary and linear updates in progress: the new deployment and the share it takes. */
  private readonly shifts = new Map<string, { next: Deployment; share: number }>();
  /** Updates still running (shifting traffic, or baking before the old fleet goes): their cancels. */
  private readonly updating = new Map<string, AbortController>();
  private generation = 0;

  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly deps: EmbeddedFleetDeps) {
    this.sweeper = setInterval(
      () => {
        const now = Date.now();
        for (const d of this.endpoints.values()) for (const p of d.order) void p.reapIdle(now);
      },
      Math.min(1000, deps.serverlessIdleMs),
    );
    this.sweeper.unref();
  }

  private async build(plan: DeploymentPlan): Promise<Deployment> {
    const generation = ++this.generation;
    const dir = join(this.deps.dataDir, 'endpoints', plan.endpointName, String(generation));
    const pools = new Map<string, VariantPool>();
    let shadow: Deployment['shadow'];
    const all = () => [...pools.values(), ...(shadow ? [shadow.pool] : [])];
    try {
      for (const v of plan.variants) pools.set(v.variantName, await this.pool(plan.endpointName, v, dir));
      if (plan.shadow) {
        const pool = await this.pool(plan.endpointName, plan.shadow.variant, dir);
        shadow = { pool, share: plan.shadow.share };
      }
      await Promise.all(all().map((p) => p.fill()));
    } catch (e) {
      await Promise.all(all().map((p) => p.close()));
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
    return { generation, dir, pools, order: [...pools.values()], ...(shadow ? { shadow } : {}) };
  }

  private async pool(endpointName: string, v: VariantSpec, dir: string): Promise<VariantPool> {
    return new VariantPool(
      v.variantName,
      v.initialWeight,
      v.initialInstanceCount,
      await variantInstanceFactory(this.deps, endpointName, v, join(dir, v.variantName)),
      this.deps.logger,
      this.deps.stopGraceMs,
      v.serverless
        ? {
            maxConcurrency: v.serverless.maxConcurrency,
            warm: v.serverless.provisionedConcurrency ?? 0,
            idleMs: this.deps.serverlessIdleMs,
          }
        : undefined,
      v.randomRouting ? 'random' : 'least-outstanding',
    );
  }

  private async retire(old: Deployment | undefined): Promise<void> {
    if (!old) return;
    await Promise.all([...old.order, ...(old.shadow ? [old.shadow.pool] : [])].map((p) => p.close()));
    await rm(old.dir, { recursive: true, force: true });
  }

  async deploy(plan: DeploymentPlan): Promise<void> {
    const deployment = await this.build(plan);
    const old = this.endpoints.get(plan.endpointName);
    this.endpoints.set(plan.endpointName, deployment);
    await this.routingChanged(plan.endpointName);
    await this.retire(old);
  }

  private async routingChanged(endpointName: string): Promise<void> {
    try {
      await this.deps.onRoutingChange?.(endpointName);
    } catch (e) {
      this.deps.logger.error('a routing change was not passed on', {
        endpoint: endpointName,
        error: String(e),
      });
    }
  }

  async update(plan: DeploymentPlan, shift?: TrafficShift): Promise<void> {
    // The old deployment serves alone until the new one is healthy.
    if (!shift) return this.deploy(plan);
    const next = await this.build(plan);
    const name = plan.endpointName;
    const cancel = new AbortController();
    const state = { next, share: 0 };
    this.shifts.set(name, state);
    this.updating.set(name, cancel);
    await this.routingChanged(name);
    try {
      try {
        for (const step of shift.steps) {
          state.share = step.share;
          if (step.share >= 1) break;
          await sleep(step.waitMs, cancel.signal);
        }
      } catch (e) {
        // Cancelled, removed or closed mid-shift: the new deployment goes too.
        if (this.shifts.get(name) === state) this.shifts.delete(name);
        await this.routingChanged(name);
        await this.retire(next);
        throw e;
      } finally {
        if (this.shifts.get(name) === state) this.shifts.delete(name);
      }
      const old = this.endpoints.get(name);
      this.endpoints.set(name, next);
      await this.routingChanged(name);
      // Baking: the old fleet stays up (without traffic) for the last wait and the termination
      // wait, unless the endpoint goes first.
      const last = shift.steps.at(-1);
      await sleep((last?.waitMs ?? 0) + shift.terminationWaitMs, cancel.signal).catch(() => undefined);
      await this.retire(old);
    } finally {
      if (this.updating.get(name) === cancel) this.updating.delete(name);
    }
  }

  /** The deployment that takes this request: during a canary or linear update, the new one by share. */
  private route(endpointName: string): Deployment | undefined {
    const shift = this.shifts.get(endpointName);
    if (shift && Math.random() < shift.share) return shift.next;
    return this.endpoints.get(endpointName);
  }

  async adjust(
    endpointName: string,
    changes: readonly { variantName: string; weight?: number; instanceCount?: number }[],
  ): Promise<void> {
    const deployment = this.endpoints.get(endpointName);
    if (!deployment) throw new Error(`endpoint ${endpointName} is not running`);
    await Promise.all(
      changes.map(async (c) => {
        const pool = deployment.pools.get(c.variantName);
        if (!pool) throw new Error(`variant ${c.variantName} is not part of endpoint ${endpointName}`);
        if (c.weight !== undefined) pool.weight = c.weight;
        if (c.instanceCount !== undefined) await pool.resize(c.instanceCount);
      }),
    );
    await this.routingChanged(endpointName);
  }

  cancelUpdate(endpointName: string): void {
    this.updating.get(endpointName)?.abort();
  }

  async remove(endpointName: string): Promise<void> {
    this.cancelUpdate(endpointName);
    const old = this.endpoints.get(endpointName);
    this.endpoints.delete(endpointName);
    await this.routingChanged(endpointName);
    await this.retire(old);
  }

  /**
   * The endpoint's routing as data, when every variant answers in process and nothing but the
   * answer matters: no shadow copies, no traffic shift under way. Undefined otherwise.
   */
  frontRoute(endpointName: string): FrontRoute | undefined {
    const deployment = this.endpoints.get(endpointName);
    if (!deployment || deployment.shadow || this.shifts.has(endpointName)) return undefined;
    const variants: FrontRoute['variants'][number][] = [];
    for (const pool of deployment.order) {
      const lane = pool.inlineRecipe;
      if (!lane) return undefined;
      variants.push({ name: pool.variantName, weight: pool.weight, lane });
    }
    return { variants };
  }

  state(endpointName: string): readonly VariantState[] | undefined {
    const deployment = this.endpoints.get(endpointName);
    if (!deployment) return undefined;
    const stateOf = (p: VariantPool, shadow: boolean): VariantState => ({
      variantName: p.variantName,
      ...(shadow ? { shadow } : {}),
      currentWeight: p.weight,
      desiredWeight: p.weight,
      currentInstanceCount: p.currentCount,
      desiredInstanceCount: p.desiredCount,
    });
    const states = deployment.order.map((p) => stateOf(p, false));
    return deployment.shadow ? [...states, stateOf(deployment.shadow.pool, true)] : states;
  }

  /** Stops every endpoint, for shutdown. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const cancel of this.updating.values()) cancel.abort();
    const all = [...this.endpoints.values()];
    this.endpoints.clear();
    await Promise.all(all.map((d) => this.retire(d)));
  }

  private choose(deployment: Deployment, target: string | undefined): VariantPool {
    if (target !== undefined) {
      const pool = deployment.pools.get(target);
      if (!pool) throw new AwsError('ValidationError', `Variant ${target} not found.`);
      return pool;
    }
    const pool = pickByWeight(deployment.order);
    if (!pool) throw new AwsError('ValidationError', 'Every variant of the endpoint has weight 0.');
    return pool;
  }

  invoke(endpointName: string, request: InvocationRequest): Promise<InvocationResult> {
    // The hot path, without an async frame: a running instance with room takes the request now.
    try {
      const deployment = this.route(endpointName);
      if (deployment) {
        if (deployment.shadow) this.mirror(endpointName, deployment.shadow, request);
        const pool = this.choose(deployment, request.targetVariant);
        const instance = pool.pickNow();
        if (instance) return this.send(pool, instance, request, 0, endpointName);
      }
    } catch (e) {
      return Promise.reject(e);
    }
    return this.invokeWaiting(endpointName, request);
  }

  /**
   * Shadow testing: a share of the requests is copied to the shadow variant, whose answer (or
   * failure) is only counted, never returned. A shadow without a free instance skips the copy.
   */
  private mirror(
    endpointName: string,
    shadow: NonNullable<Deployment['shadow']>,
    request: InvocationRequest,
  ): void {
    if (Math.random() >= shadow.share) return;
    const instance = shadow.pool.pickNow();
    const record = this.deps.onShadowInvocation;
    if (!instance || instance.outstanding >= this.deps.maxOutstandingPerInstance) return;
    const started = performance.now();
    const latency = () => Math.round((performance.now() - started) * 1000);
    // Never streamed: nobody would read the parts.
    instance.invoke({ ...request, stream: false }).then(
      (reply) => record?.(endpointName, shadow.pool.variantName, reply.status, latency()),
      () => record?.(endpointName, shadow.pool.variantName, 500, latency()),
    );
  }

  /** A request that must wait for an instance (starting, replaced, serverless cold start). */
  private async invokeWaiting(
    endpointName: string,
    request: InvocationRequest,
    firstAttempt = 0,
  ): Promise<InvocationResult> {
    // Two tries: a request that raced a blue/green switch goes to the new deployment.
    for (let attempt = firstAttempt; ; attempt++) {
      const deployment = this.route(endpointName);
      if (!deployment) {
        throw new AwsError(
          'ValidationError',
          `Endpoint ${endpointName} of account ${this.deps.accountId} not found.`,
        );
      }
      const pool = this.choose(deployment, request.targetVariant);
      const instance =
        pool.pickNow() ??
        (await pool.pick(this.deps.instanceWaitMs).catch((e: Error) => {
          throw new AwsError(
            'ServiceUnavailable',
            `Could not start an instance of variant ${pool.variantName}: ${e.message}`,
          );
        }));
      if (instance) return this.send(pool, instance, request, attempt, endpointName);
      const switched = this.endpoints.get(endpointName) !== deployment;
      if (switched && attempt === 0) continue;
      throw new AwsError(
        'ServiceUnavailable',
        `No instance of variant ${pool.variantName} is running; retry.`,
      );
    }
  }

  /** Sends a request to a chosen instance; capacity is checked first, a draining instance retried once. */
  private send(
    pool: VariantPool,
    instance: ModelInstance,
    request: InvocationRequest,
    attempt: number,
    endpointName: string,
  ): Promise<InvocationResult> {
    if (pool.serverless && pool.outstanding >= pool.serverless.maxConcurrency) {
      return Promise.reject(
        new AwsError(
          'ThrottlingException',
          `Serverless variant ${pool.variantName} is at its MaxConcurrency (${pool.serverless.maxConcurrency}).`,
        ),
      );
    }
    if (instance.outstanding >= this.deps.maxOutstandingPerInstance) {
      return Promise.reject(
        new AwsError(
          'ThrottlingException',
          `Variant ${pool.variantName} is at capacity; retry with back-off.`,
        ),
      );
    }
    const started = performance.now();
    return instance.invoke(request).then(
      (reply): InvocationResult => ({
        status: reply.status,
        body: reply.body,
        contentType: reply.contentType,
        customAttributes: reply.customAttributes,
        ...(reply.chunks ? { chunks: reply.chunks } : {}),
        variantName: pool.variantName,
        modelLatencyUs: Math.round((performance.now() - started) * 1000),
      }),
      (e: Error) => {
        if (isAwsError(e)) throw e; // the request's own fault (a pipeline's unknown container)
        // Drained by a blue/green switch or a scale-in: another instance takes it, once.
        if (e.message === INSTANCE_STOPPING && attempt === 0)
          return this.invokeWaiting(endpointName, request, 1);
        throw this.instanceFailed(e);
      },
    );
  }

  private instanceFailed(e: Error): AwsError {
    return new AwsError('ModelError', `The model instance failed while handling the request: ${e.message}`, {
      OriginalStatusCode: 500,
    });
  }
}

/** Resolves after `ms`, or rejects once `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('the update was cancelled'));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new Error('the update was cancelled'));
      },
      { once: true },
    );
  });
}
