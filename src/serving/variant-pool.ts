import type { Logger } from '../ports/logger.js';
import type { LaneRecipe } from './inline-lanes.js';
import type { InstanceFactory, ModelInstance } from './instances/model-instance.js';

/**
 * The instances of one production variant. Requests go to the least busy instance; a
 * crashed instance leaves rotation at once and a replacement is started; the pool can
 * grow and shrink in place (UpdateEndpointWeightsAndCapacities, autoscaling).
 */
/** A serverless variant: no instance while idle, one started by the first request. */
export interface ServerlessPolicy {
  readonly maxConcurrency: number;
  /** Instances kept warm (ProvisionedConcurrency), 0 by default. */
  readonly warm: number;
  /** Idle time after which the variant scales back to `warm`. */
  readonly idleMs: number;
}

export class VariantPool {
  private readonly instances: ModelInstance[] = [];
  private lastActivity = Date.now();
  private coldStart: Promise<void> | undefined;
  private desired: number;
  private counter = 0;
  private closed = false;
  private starting = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(
    readonly variantName: string,
    public weight: number,
    desiredCount: number,
    private readonly factory: InstanceFactory,
    private readonly logger: Logger,
    private readonly stopGraceMs: number,
    readonly serverless?: ServerlessPolicy,
    /** RoutingConfig.RoutingStrategy: the least busy instance (default), or any at random. */
    private readonly routing: 'least-outstanding' | 'random' = 'least-outstanding',
  ) {
    this.desired = serverless ? serverless.warm : desiredCount;
  }

  get currentCount(): number {
    return this.instances.length;
  }

  get desiredCount(): number {
    return this.desired;
  }

  get outstanding(): number {
    let n = 0;
    for (const i of this.instances) n += i.outstanding;
    return n;
  }

  /**
   * The in-process lane every instance of this variant answers with, as data; undefined for a
   * serverless variant (its instances come and go) or one whose model has no such lane.
   */
  get inlineRecipe(): LaneRecipe | undefined {
    return this.serverless ? undefined : this.instances[0]?.inlineRecipe;
  }

  /** Starts instances up to the desired count; rejects if any fails to start. */
  async fill(): Promise<void> {
    const missing = this.desired - this.instances.length - this.starting;
    await Promise.all(Array.from({ length: Math.max(0, missing) }, () => this.startOne()));
  }

  private async startOne(): Promise<void> {
    this.starting++;
    try {
      const instance = await this.factory(`${this.variantName}-${++this.counter}`);
      if (this.closed) {
        await instance.stop(0);
        return;
      }
      this.instances.push(instance);
      for (const w of this.waiters.splice(0)) w();
      void instance.exited.then(({ expected, reason }) => this.onExit(instance, expected, reason));
    } finally {
      this.starting--;
    }
  }

  private onExit(instance: ModelInstance, expected: boolean, reason: string): void {
    const i = this.instances.indexOf(instance);
    if (i >= 0) this.instances.splice(i, 1);
    if (expected || this.closed) return;
    this.logger.warn('model instance died; starting a replacement', { instance: instance.id, reason });
    const retry = (attempt: number) => {
      if (this.closed || this.instances.length + this.starting >= this.desired) return;
      this.startOne().catch((e: Error) => {
        this.logger.error('replacement instance failed to start', {
          variant: this.variantName,
          error: e.message,
        });
        setTimeout(() => retry(attempt + 1), Math.min(30_000, 500 * 2 ** attempt));
      });
    };
    retry(0);
  }

  /** Marks the variant busy now (a request arrived), for the idle scale-in of serverless variants. */
  touch(): void {
    this.lastActivity = Date.now();
  }

  /** Serverless: scales back to the warm count once idle long enough. */
  async reapIdle(now: number): Promise<void> {
    if (!this.serverless || this.closed || this.outstanding > 0) return;
    if (now - this.lastActivity < this.serverless.idleMs || this.instances.length <= this.serverless.warm)
      return;
    this.logger.info('serverless variant idle; scaling in', {
      variant: this.variantName,
      to: this.serverless.warm,
    });
    await this.resize(this.serverless.warm);
  }

  /** Serverless cold start: one instance, shared by every request that arrives meanwhile. */
  private async scaleFromZero(): Promise<void> {
    this.coldStart ??= (async () => {
      this.desired = Math.max(this.desired, 1);
      await this.fill();
    })().finally(() => {
      this.coldStart = undefined;
    });
    await this.coldStart;
  }

  /** The least busy instance, waiting briefly for one while a replacement starts. */
  /** The least busy running instance, without waiting (the hot path). */
  pickNow(): ModelInstance | undefined {
    this.touch();
    if (this.routing === 'random') return this.instances[Math.floor(Math.random() * this.instances.length)];
    let best: ModelInstance | undefined;
    for (const i of this.instances) if (!best || i.outstanding < best.outstanding) best = i;
    return best;
  }

  async pick(waitMs: number): Promise<ModelInstance | undefined> {
    this.touch();
    if (this.serverless && this.instances.length === 0 && !this.closed) await this.scaleFromZero();
    if (this.instances.length === 0 && !this.closed && (this.starting > 0 || this.desired > 0)) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    let best: ModelInstance | undefined;
    for (const i of this.instances) if (!best || i.outstanding < best.outstanding) best = i;
    return best;
  }

  /** Grows or shrinks to `count` instances; shrinking drains the least busy ones. */
  async resize(count: number): Promise<void> {
    this.desired = count;
    if (this.instances.length + this.starting < count) return this.fill();
    const extra = [...this.instances]
      .sort((a, b) => a.outstanding - b.outstanding)
      .slice(0, this.instances.length - count);
    for (const instance of extra) this.instances.splice(this.instances.indexOf(instance), 1);
    await Promise.all(extra.map((i) => i.stop(this.stopGraceMs)));
  }

  /** Stops routing to this pool and stops every instance after its in-flight requests. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w();
    const all = this.instances.splice(0);
    await Promise.all(all.map((i) => i.stop(this.stopGraceMs)));
  }
}
