/**
 * Worker-thread entry of a built-in XGBoost model instance: loads the model once, then
 * answers each request synchronously (prediction is CPU work; the thread is the instance's core).
 * Its `ready` message carries the checked evaluator's snapshot, from which the instance builds
 * its in-process lane for small requests (instance-factories.ts).
 */
import { workerData } from 'node:worker_threads';
import { evaluatorSnapshot } from '../../algorithms/xgboost/serving/evaluator-snapshot.js';
import { createXgboostPredictor } from '../../algorithms/xgboost/serving/load-model.js';
import { answerInvocation } from '../../algorithms/xgboost/serving/xgboost-predictor.js';
import { announce, serveRequests } from './worker-loop.js';

const { modelDir, environment } = workerData as { modelDir: string; environment: Record<string, string> };
const encoder = new TextEncoder();

try {
  const predictor = await createXgboostPredictor(modelDir, environment);
  serveRequests((request) => {
    const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
    const out = answerInvocation(predictor, body, request.contentType, request.accept);
    return {
      status: out.status,
      // Own buffer (not a view of a pooled one), so the reply clones only its bytes.
      body: typeof out.body === 'string' ? encoder.encode(out.body) : new Uint8Array(out.body),
      contentType: out.contentType,
    };
  });
  announce({ type: 'ready', inline: evaluatorSnapshot(predictor.model) });
} catch (e) {
  announce({ type: 'failed', message: `Failed to load the XGBoost model: ${(e as Error).message}` });
}
