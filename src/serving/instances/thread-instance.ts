import { Worker } from 'node:worker_threads';
import type { InvocationRequest } from '../../ports/endpoint-fleet.js';
import type { LaneRecipe } from '../inline-lanes.js';
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
  /** `inline`: what the instance needs to build its in-process lane (see InlineLane), if any. */
  | { readonly type: 'ready'; readonly inline?: unknown }
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
 * An instance's in-process lane: requests small enough to answer in a few tens of microseconds
 * are answered on the event loop instead of crossing to the worker thread and back, which
 * costs more than the model itself (docs/decisions/0007-in-process-lane.md).
 */
export interface InlineLane {
  /** What the lane is made of, to build the same lane on another thread. */
  readonly recipe: LaneRecipe;
  accepts(request: InvocationRequest): boolean;
  /** Answers synchronously; a throw fails only this request. */
  answer(request: InvocationRequest): InstanceReply;
}

/** Builds the lane from the worker's `ready` payload; undefined: every request goes to the thread. */
export type InlineLaneFactory = (payload: unknown) => InlineLane | undefined;

type Waiter = { resolve: (r: InstanceReply) => void; reject: (e: Error) => void };

/**
 * A model instance in a worker thread: the model is loaded once in the thread and every
 * request is a message there and back (request and reply bytes are transferred, not copied),
 * except small ones the instance's in-process lane answers.
 */
export async function startThreadInstance(
  id: string,
  entry: string,
  workerData: unknown,
  startupTimeoutMs: number,
  inlineLane?: InlineLaneFactory,
): Promise<ModelInstance> {
  const worker = new Worker(entry, { workerData });
  const pending = new Map<number, Waiter>();
  let nextId = 1;
  let stopping = false;
  let failure: string | undefined;
  let lane: InlineLane | undefined;
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
        try {
          lane = m.inline === undefined ? undefined : inlineLane?.(m.inline);
        } catch (e) {
          void worker.terminate();
          reject(e);
          return;
        }
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
  // The in-process lane answers everything that arrived in one turn together, after the
  // turn's reads: replies written in one burst cost the kernel (and the client) far fewer
  // wake-ups than one write per request as each is read.
  let inline: { request: InvocationRequest; waiter: Waiter }[] = [];
  const answerInline = () => {
    const queue = inline;
    inline = [];
    for (const { request, waiter } of queue) {
      if (failure !== undefined) waiter.reject(new Error(failure));
      else {
        try {
          waiter.resolve(lane!.answer(request));
        } catch (e) {
          waiter.reject(e as Error);
        }
      }
    }
  };
  const fail = (reason: string) => {
    failure = reason;
    for (const p of pending.values()) p.reject(new Error(reason));
    pending.clear();
    resolveExit({ expected: stopping, reason });
  };
  worker.once('error', (e) => fail(`the model worker crashed: ${e.message}`));
  worker.once('exit', (code) => fail(`the model worker exited with code ${code}`));

  return {
    id,
    get outstanding() {
      return pending.size + inline.length;
    },
    get inlineRecipe() {
      return lane?.recipe;
    },
    invoke(request: InvocationRequest): Promise<InstanceReply> {
      if (stopping) return Promise.reject(new Error(INSTANCE_STOPPING));
      if (failure !== undefined) return Promise.reject(new Error(failure));
      if (lane?.accepts(request)) {
        return new Promise<InstanceReply>((resolve, reject) => {
          if (inline.length === 0) setImmediate(answerInline);
          inline.push({ request, waiter: { resolve, reject } });
        });
      }
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
      while (pending.size + inline.length > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      await worker.terminate();
      await exited;
    },
  };
}
