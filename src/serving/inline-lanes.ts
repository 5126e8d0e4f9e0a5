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

/** The built-in XGBoost lane: the worker's checked evaluator, rebuilt on the event loop. */
export function xgboostInlineLane(environment: Readonly<Record<string, string>>): InlineLaneFactory {
  return (payload) => {
    const snapshot = payload as EvaluatorSnapshot;
    const predictor = predictorFor(modelFromSnapshot(snapshot), environment);
    const maxBytes = Math.floor(INLINE_COST_BUDGET / Math.max(1, snapshot.treesUsed));
    const lane: InlineLane = {
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
    return lane;
  };
}

/** The echo model's lane: every request (it copies nothing). */
export const echoInlineLane: InlineLaneFactory = () => ({
  accepts: () => true,
  answer: (request) => echoReply(request.body, request.contentType),
});
