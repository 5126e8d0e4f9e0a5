/**
 * Worker-thread entry of the `lathe-echo-inference` model: answers every request with its own
 * body and content type. It loads nothing, so it measures (and smoke-tests) the invocation
 * path itself: routing, signing, the thread hop.
 */
import { parentPort } from 'node:worker_threads';
import type { FromWorker, ToWorker } from '../instances/thread-instance.js';

const port = parentPort!;
port.on('message', (m: ToWorker) => {
  const reply: FromWorker = {
    type: 'reply',
    id: m.id,
    status: 200,
    body: m.body,
    contentType: m.contentType ?? 'application/octet-stream',
  };
  port.postMessage(reply, [m.body.buffer as ArrayBuffer]);
});
port.postMessage({ type: 'ready' } satisfies FromWorker);
