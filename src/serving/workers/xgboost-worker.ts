/**
 * Worker-thread entry of a built-in XGBoost model instance: loads the model once, then
 * answers each request message synchronously (prediction is CPU work; the thread is the
 * instance's core).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createXgboostPredictor } from '../../algorithms/xgboost/serving/xgboost-predictor.js';
import type { FromWorker, ToWorker } from '../instances/thread-instance.js';

const port = parentPort!;
const { modelDir, environment } = workerData as { modelDir: string; environment: Record<string, string> };
const send = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);

try {
  const predictor = await createXgboostPredictor(modelDir, environment);
  port.on('message', (m: ToWorker) => {
    const body = Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength);
    let reply: FromWorker;
    try {
      const out = predictor.invoke(body, m.contentType, m.accept);
      const bytes = typeof out.body === 'string' ? Buffer.from(out.body) : out.body;
      const copy = new Uint8Array(bytes);
      reply = { type: 'reply', id: m.id, status: out.status, body: copy, contentType: out.contentType };
      send(reply, [copy.buffer as ArrayBuffer]);
    } catch (e) {
      const text = new TextEncoder().encode(`Unable to evaluate payload provided: ${(e as Error).message}`);
      send({ type: 'reply', id: m.id, status: 500, body: text, contentType: 'text/plain' });
    }
  });
  send({ type: 'ready' });
} catch (e) {
  send({ type: 'failed', message: `Failed to load the XGBoost model: ${(e as Error).message}` });
}
