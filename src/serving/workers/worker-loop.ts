import { parentPort } from 'node:worker_threads';
import {
  type FromWorker,
  type ToWorker,
  transferables,
  type WorkerReply,
  type WorkerRequest,
} from '../instances/thread-instance.js';

/** What a model worker computes for one request. */
export type Handle = (request: WorkerRequest) => Omit<WorkerReply, 'id'>;

/**
 * The message loop of a model worker thread: answers each batch of requests with one batch
 * of replies, in order.
 */
export function serveRequests(handle: Handle): void {
  const port = parentPort!;
  port.on('message', (batch: ToWorker) => {
    const replies: WorkerReply[] = batch.map((request) => ({ id: request.id, ...handle(request) }));
    const message: FromWorker = { type: 'replies', replies };
    port.postMessage(message, transferables(replies));
  });
}

export function announce(message: FromWorker): void {
  parentPort!.postMessage(message);
}
