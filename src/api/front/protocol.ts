import type { FrontRoute } from '../../serving/embedded-fleet.js';

/**
 * Messages between the main thread and the HTTP front threads (front-threads.ts, front-thread.ts).
 * Front threads accept connections on the server's own listening socket; they answer the
 * InvokeEndpoint requests of endpoints in their routing table and pass every other request
 * to the main thread over a loopback connection.
 */

/** The server's settings a front thread answers by. */
export interface FrontThreadSettings {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly maxClockSkewSeconds: number;
  readonly region: string;
  readonly accountId: string;
  /** Report each answered request for the debug access log (LATHE_LOG_LEVEL=debug). */
  readonly logRequests: boolean;
}

/** What a front thread starts with. */
export interface FrontThreadData extends FrontThreadSettings {
  /** The thread's own descriptor of the server's listening socket (a dup(2)). */
  readonly fd: number;
  /** The main thread's loopback port for passed-on requests. */
  readonly mainPort: number;
  readonly routes: readonly (readonly [string, FrontRoute])[];
}

/** An answered request, as the main thread's debug access log writes it. */
export interface RequestLogEntry {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly ms: number;
}

/** One answered invocation: endpoint, variant, status, ModelLatency µs, OverheadLatency µs. */
export type InvocationRecord = readonly [string, string, number, number, number];

export type ToFront =
  /** The endpoint's routing; none: its requests go to the main thread. Answered with `ack`. */
  | { readonly type: 'route'; readonly id: number; readonly endpoint: string; readonly route?: FrontRoute }
  /** Stop accepting, finish what is in flight, then answer `closed`. */
  | { readonly type: 'close' };

export type FromFront =
  | { readonly type: 'listening' }
  | { readonly type: 'ack'; readonly id: number }
  | {
      readonly type: 'invocations';
      readonly records: readonly InvocationRecord[];
      /** Only when requests are logged. */
      readonly requests?: readonly RequestLogEntry[];
      /** Requests passed on to the main thread since the last report (`records` are those answered). */
      readonly passedOn: number;
    }
  | { readonly type: 'closed' };
