import type { InvocationRequest, InvocationResult } from '../../ports/endpoint-fleet.js';
import type { FrontRoute } from '../../serving/embedded-fleet.js';
import { laneFromRecipe } from '../../serving/inline-lanes.js';
import type { InlineLane } from '../../serving/instances/thread-instance.js';
import { pickByWeight } from '../../serving/weighted-pick.js';

interface LocalVariant {
  readonly name: string;
  readonly weight: number;
  readonly lane: InlineLane;
}

/** Called once with the answer, or with the error a lane threw. */
export type Answered = (outcome: InvocationResult | Error) => void;

type Pending = {
  readonly lane: InlineLane;
  readonly request: InvocationRequest;
  readonly variantName: string;
  readonly started: number;
  readonly done: Answered;
};

/**
 * A front thread's router: the fleet's routing copied as data (FrontRoute), each variant's
 * lane rebuilt here. It answers what the fleet would — variant by weight or TargetVariant,
 * the same lane — and leaves anything it cannot answer the same way to be passed on.
 */
export class FrontRouter {
  private readonly routes = new Map<string, readonly LocalVariant[]>();
  private queue: Pending[] = [];

  set(endpoint: string, route: FrontRoute | undefined): void {
    if (!route) {
      this.routes.delete(endpoint);
      return;
    }
    this.routes.set(
      endpoint,
      route.variants.map((v) => ({ name: v.name, weight: v.weight, lane: laneFromRecipe(v.lane) })),
    );
  }

  has(endpoint: string): boolean {
    return this.routes.has(endpoint);
  }

  /**
   * Takes the request if this thread answers it as the fleet would (false: pass it on). `done`
   * is called after this turn of the event loop, with every other answer of the turn, so that
   * their replies go out in one burst — without a promise per request.
   */
  submit(endpointName: string, request: InvocationRequest, done: Answered): boolean {
    const variants = this.routes.get(endpointName);
    if (!variants || request.stream || request.targetModel || request.targetContainerHostname) return false;
    const variant = this.choose(variants, request);
    if (!variant) return false;
    if (this.queue.length === 0) setImmediate(this.answerAll);
    this.queue.push({
      lane: variant.lane,
      request,
      variantName: variant.name,
      started: performance.now(),
      done,
    });
    return true;
  }

  /**
   * The variant by TargetVariant or weight, as the fleet chooses. Without a target, every
   * variant's lane must take the request: passing on only what one variant refuses would
   * skew the weighted split.
   */
  private choose(variants: readonly LocalVariant[], request: InvocationRequest): LocalVariant | undefined {
    if (request.targetVariant !== undefined) {
      const target = variants.find((v) => v.name === request.targetVariant);
      return target?.lane.accepts(request) ? target : undefined;
    }
    return variants.every((v) => v.lane.accepts(request)) ? pickByWeight(variants) : undefined;
  }

  private readonly answerAll = (): void => {
    const due = this.queue;
    this.queue = [];
    for (const p of due) {
      let outcome: InvocationResult | Error;
      try {
        const reply = p.lane.answer(p.request);
        outcome = {
          status: reply.status,
          body: reply.body,
          contentType: reply.contentType,
          customAttributes: reply.customAttributes,
          variantName: p.variantName,
          modelLatencyUs: Math.round((performance.now() - p.started) * 1000),
        };
      } catch (e) {
        outcome = e instanceof Error ? e : new Error(String(e));
      }
      try {
        p.done(outcome);
      } catch (e) {
        // Answer the rest of the turn first; then the error surfaces (and ends the thread).
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  };
}
