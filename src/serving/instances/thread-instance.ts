import { Worker } from 'node:worker_threads';
import type { InvocationRequest } from '../../ports/endpoint-fleet.js';
import { INSTANCE_STOPPING, type InstanceReply, type ModelInstance } from './model-instance.js';

/** Messages between the router and a model worker thread. */
export type ToWorker = {
  readonly id: number;
  readonly body: Uint8Array;
  readonly contentType?: string;
  readonly accept?: string;
  readonly customAttributes?: string;
};
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  | {
      readonly type: 'reply';
      readonly id: number;
      readonly status: number;
      readonly body: Uint8Array;
      readonly contentType: string;
      readonly customAttributes?: string;
    };

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
    if (m.type !== 'reply') return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    p.resolve({
      status: m.status,
      body: Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength),
      contentType: m.contentType,
      customAttributes: m.customAttributes,
    });
  });
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
      // Copy into a fresh buffer we can transfer: the request buffer may be a pooled slice.
      const body = new Uint8Array(request.body);
      const message: ToWorker = {
        id: reqId,
        body,
        contentType: request.contentType,
        accept: request.accept,
        customAttributes: request.customAttributes,
      };
      return new Promise<InstanceReply>((resolve, reject) => {
        pending.set(reqId, { resolve, reject });
        worker.postMessage(message, [body.buffer as ArrayBuffer]);
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
