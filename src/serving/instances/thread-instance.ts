import { Worker } from 'node:worker_threads';
import type { InvocationRequest } from '../../ports/endpoint-fleet.js';
import { INSTANCE_STOPPING, type InstanceReply, type ModelInstance } from './model-instance.js';

/** One request as a model worker thread receives it. */
export type WorkerRequest = {
  readonly id: number;
  readonly body: Uint8Array;
  readonly contentType?: string;
  readonly accept?: string;
  readonly customAttributes?: string;
};
export type WorkerReply = {
  readonly id: number;
  readonly status: number;
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly customAttributes?: string;
};
/** Requests travel in batches: everything that arrived in one turn of the event loop. */
export type ToWorker = readonly WorkerRequest[];
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'replies'; readonly replies: readonly WorkerReply[] };

/** Bodies at least this large are transferred; smaller ones are cheaper to copy. */
export const TRANSFER_THRESHOLD = 64 * 1024;

/** The buffers worth transferring rather than copying. */
export function transferables(items: readonly { body: Uint8Array }[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const i of items) {
    if (
      i.body.byteLength >= TRANSFER_THRESHOLD &&
      i.body.byteOffset === 0 &&
      i.body.buffer.byteLength === i.body.byteLength
    ) {
      out.push(i.body.buffer as ArrayBuffer);
    }
  }
  return out;
}

/**
 * A model instance in a worker thread: the model is loaded once in the thread and every
 * request is a message there and back (request and reply bytes are transferred, not copied).
 */
export async function startThreadInstance(
  id: string,
  entry: string,
  workerData: unknown,
  startupTimeoutMs: number,
): Promise<ModelInstance> {
  const worker = new Worker(entry, { workerData });
  const pending = new Map<number, { resolve: (r: InstanceReply) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let stopping = false;
  let resolveExit!: (v: { expected: boolean; reason: string }) => void;
  const exited = new Promise<{ expected: boolean; reason: string }>((r) => {
    resolveExit = r;
  });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`the model did not load within ${startupTimeoutMs / 1000} s`));
    }, startupTimeoutMs);
    const onMessage = (m: FromWorker) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        worker.off('message', onMessage);
        resolve();
      } else if (m.type === 'failed') {
        clearTimeout(timer);
        void worker.terminate();
        reject(new Error(m.message));
      }
    };
    worker.on('message', onMessage);
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });

  worker.on('message', (m: FromWorker) => {
    if (m.type !== 'replies') return;
    for (const r of m.replies) {
      const p = pending.get(r.id);
      if (!p) continue;
      pending.delete(r.id);
      p.resolve({
        status: r.status,
        body: Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength),
        contentType: r.contentType,
        customAttributes: r.customAttributes,
      });
    }
  });
  // One postMessage per turn of the event loop, for every request that arrived in it: the
  // message hop, not the model, dominates the cost of a small request.
  let batch: WorkerRequest[] = [];
  const flush = () => {
    const out = batch;
    batch = [];
    worker.postMessage(out, transferables(out));
  };
  const fail = (reason: string) => {
    for (const p of pending.values()) p.reject(new Error(reason));
    pending.clear();
    resolveExit({ expected: stopping, reason });
  };
  worker.once('error', (e) => fail(`the model worker crashed: ${e.message}`));
  worker.once('exit', (code) => fail(`the model worker exited with code ${code}`));

  return {
    id,
    get outstanding() {
      return pending.size;
    },
    invoke(request: InvocationRequest): Promise<InstanceReply> {
      if (stopping) return Promise.reject(new Error(INSTANCE_STOPPING));
      const reqId = nextId++;
      // A buffer of its own: request bodies can be views of a larger pooled buffer, which a
      // message would clone whole. Large ones are then transferred, small ones cloned.
      const body = new Uint8Array(request.body);
      return new Promise<InstanceReply>((resolve, reject) => {
        pending.set(reqId, { resolve, reject });
        if (batch.length === 0) setImmediate(flush);
        batch.push({
          id: reqId,
          body,
          contentType: request.contentType,
          accept: request.accept,
          customAttributes: request.customAttributes,
        });
      });
    },
    exited,
    async stop(graceMs: number) {
      stopping = true;
      const deadline = Date.now() + graceMs;
      while (pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await worker.terminate();
      await exited;
    },
  };
}
