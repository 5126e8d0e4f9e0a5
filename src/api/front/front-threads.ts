import { Worker } from 'node:worker_threads';
import type { Logger } from '../../ports/logger.js';
import type { InvocationRecorder } from '../../services/endpoint-metrics.js';
import type { FrontRoute } from '../../serving/embedded-fleet.js';
import type { FromFront, FrontThreadData, FrontThreadSettings, ToFront } from './protocol.js';

export interface FrontThreadsOptions extends FrontThreadSettings {
  readonly count: number;
  /**
   * A descriptor of the listening socket for one thread to own (dup(2)): each thread's loop
   * closes its own when the thread ends, never the one the others accept on.
   */
  readonly duplicateListener: (fd: number) => number | undefined;
  /** Where the invocations the front threads answer are recorded. */
  readonly metrics: InvocationRecorder;
  readonly logger: Logger;
}

// The compiled entry, from src/ (tests) as from dist/.
const frontThreadEntry = new URL('../../../dist/api/front/front-thread.js', import.meta.url);

/** How long a front thread may take to take a routing change before it is restarted. */
const ACK_TIMEOUT_MS = 5_000;
/** How long closing waits for a front thread's in-flight requests. */
const CLOSE_TIMEOUT_MS = 10_000;

/** The same variants, weights and lanes (lanes compared by identity: the instances' own recipes). */
function sameRoute(a: FrontRoute, b: FrontRoute): boolean {
  return (
    a.variants.length === b.variants.length &&
    a.variants.every((v, i) => {
      const w = b.variants[i]!;
      return v.name === w.name && v.weight === w.weight && v.lane === w.lane;
    })
  );
}

interface Front {
  readonly worker: Worker;
  listening: boolean;
  readonly acks: Map<number, () => void>;
  closed?: () => void;
}

/**
 * The main thread's side of the HTTP front threads (docs/decisions/0008-http-front-threads.md):
 * starts them on the listening socket, keeps their routing tables in step with the fleet
 * (a change is in force on every thread before publish() resolves), takes in what they
 * recorded, and restarts one that dies.
 */
export class FrontThreads {
  private readonly routes = new Map<string, FrontRoute>();
  private readonly fronts = new Set<Front>();
  private start?: { fd: number; mainPort: number };
  private closing = false;
  private nextId = 1;
  private answeredTotal = 0;
  private passedOnTotal = 0;

  constructor(private readonly options: FrontThreadsOptions) {}

  /** Requests the front threads answered themselves, and passed on, since the server started. */
  get counts(): { readonly answered: number; readonly passedOn: number } {
    return { answered: this.answeredTotal, passedOn: this.passedOnTotal };
  }

  /**
   * Starts the threads; they accept on (their own duplicates of) `fd`, which stays open here,
   * and pass requests on to 127.0.0.1:`mainPort`.
   */
  async listen(fd: number, mainPort: number): Promise<void> {
    this.start = { fd, mainPort };
    await Promise.all(Array.from({ length: this.options.count }, () => this.spawn()));
  }

  private spawn(): Promise<void> {
    const o = this.options;
    const { mainPort } = this.start!;
    const fd = o.duplicateListener(this.start!.fd);
    if (fd === undefined) return Promise.reject(new Error('the listening socket could not be duplicated'));
    const data: FrontThreadData = {
      fd,
      mainPort,
      accessKeyId: o.accessKeyId,
      secretAccessKey: o.secretAccessKey,
      maxClockSkewSeconds: o.maxClockSkewSeconds,
      region: o.region,
      accountId: o.accountId,
      logRequests: o.logRequests,
      routes: [...this.routes],
    };
    const worker = new Worker(frontThreadEntry, { workerData: data });
    const front: Front = { worker, listening: false, acks: new Map() };
    this.fronts.add(front);
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromFront) => {
        if (m.type === 'listening') {
          front.listening = true;
          resolve();
        } else if (m.type === 'ack') {
          front.acks.get(m.id)?.();
          front.acks.delete(m.id);
        } else if (m.type === 'invocations') {
          for (const r of m.records) o.metrics.recordInvocation(r[0], r[1], r[2], r[3], r[4]);
          for (const r of m.requests ?? []) o.logger.debug('request', { ...r });
          this.answeredTotal += m.records.length;
          this.passedOnTotal += m.passedOn;
        } else if (m.type === 'closed') front.closed?.();
      });
      worker.on('error', (e) => {
        o.logger.error('an HTTP front thread failed', { error: String(e) });
        reject(e);
      });
      worker.on('exit', () => {
        this.fronts.delete(front);
        for (const ack of front.acks.values()) ack();
        front.closed?.();
        // One that never started would fail again: the main thread serves without it.
        if (this.closing || !front.listening) return;
        o.logger.warn('restarting an HTTP front thread');
        this.spawn().catch(() => undefined);
      });
    });
  }

  /**
   * Sets an endpoint's routing (none: its requests go to the main thread) and resolves once
   * every front thread routes by it.
   */
  async publish(endpoint: string, route: FrontRoute | undefined): Promise<void> {
    const current = this.routes.get(endpoint);
    // A deploy publishes twice (the fleet's switch, then data capture's settings): rebuilding
    // every thread's lanes for an unchanged route would be work for nothing.
    if (route === undefined ? current === undefined : current !== undefined && sameRoute(current, route))
      return;
    if (route) this.routes.set(endpoint, route);
    else this.routes.delete(endpoint);
    await Promise.all([...this.fronts].map((front) => this.send(front, endpoint, route)));
  }

  private send(front: Front, endpoint: string, route: FrontRoute | undefined): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        // A thread that cannot take a change must not keep answering by the old routing.
        this.options.logger.error('an HTTP front thread did not take a routing change; restarting it', {
          endpoint,
        });
        void front.worker.terminate();
      }, ACK_TIMEOUT_MS);
      front.acks.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
      const message: ToFront = { type: 'route', id, endpoint, ...(route ? { route } : {}) };
      front.worker.postMessage(message);
    });
  }

  /** Stops accepting on every front thread, lets in-flight requests finish, then ends them. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      [...this.fronts].map(async (front) => {
        await new Promise<void>((resolve) => {
          front.closed = resolve;
          const message: ToFront = { type: 'close' };
          front.worker.postMessage(message);
          setTimeout(resolve, CLOSE_TIMEOUT_MS).unref();
        });
        await front.worker.terminate();
      }),
    );
  }
}
