import {
  type EvaluatorSnapshot,
  modelFromSnapshot,
} from '../algorithms/xgboost/serving/evaluator-snapshot.js';
import { answerInvocation, predictorFor } from '../algorithms/xgboost/serving/xgboost-predictor.js';
import type { InlineLane, InlineLaneFactory } from './instances/thread-instance.js';
import { echoReply } from './workers/echo-model.js';

/**
 * How much a request may cost to be answered in process, as request bytes × trees evaluated:
 * 400,000 lets a 100-tree model take requests up to 4 KB (about 20 CSV rows of 30 features,
 * some 40 µs), and a 2,000-tree model only 200-byte ones. Larger requests go to the worker
 * thread, so that no request holds the event loop for long.
 */
export const INLINE_COST_BUDGET = 400_000;

/**
 * What an in-process lane is made of, as plain data: the lane can be rebuilt from it on any
 * thread (the HTTP front threads answer from their own copy, docs/decisions/0008-http-front-threads.md).
 */
export type LaneRecipe =
  | {
      readonly kind: 'xgboost';
      readonly environment: Readonly<Record<string, string>>;
      readonly snapshot: EvaluatorSnapshot;
    }
  | { readonly kind: 'echo' };

/** Builds the lane a recipe describes. */
export function laneFromRecipe(recipe: LaneRecipe): InlineLane {
  if (recipe.kind === 'echo') {
    // Every request: it copies nothing.
    return { recipe, accepts: () => true, answer: (request) => echoReply(request.body, request.contentType) };
  }
  const predictor = predictorFor(modelFromSnapshot(recipe.snapshot), recipe.environment);
  const maxBytes = Math.floor(INLINE_COST_BUDGET / Math.max(1, recipe.snapshot.treesUsed));
  return {
    recipe,
    accepts: (request) => request.body.length <= maxBytes,
    answer(request) {
      const out = answerInvocation(predictor, request.body, request.contentType, request.accept);
      return {
        status: out.status,
        body: typeof out.body === 'string' ? Buffer.from(out.body) : out.body,
        contentType: out.contentType,
      };
    },
  };
}

/** The built-in XGBoost lane: the worker's checked evaluator, rebuilt on the event loop. */
export function xgboostInlineLane(environment: Readonly<Record<string, string>>): InlineLaneFactory {
  return (payload) =>
    laneFromRecipe({ kind: 'xgboost', environment, snapshot: payload as EvaluatorSnapshot });
}

/** The echo model's lane. */
export const echoInlineLane: InlineLaneFactory = () => laneFromRecipe({ kind: 'echo' });
