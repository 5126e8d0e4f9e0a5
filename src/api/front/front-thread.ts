import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { sha256Hex, verifySigV4 } from '../../security/sigv4.js';
import type { InvocationRecorder } from '../../services/endpoint-metrics.js';
import { sendJsonError } from '../http-io.js';
import {
  invocationRequest,
  modelError,
  recordAnswer,
  writeInvocationAnswer,
} from '../runtime/invoke-endpoint.js';
import { FrontRouter } from './front-router.js';
import { createPassOn } from './pass-on.js';
import type { FromFront, FrontThreadData, InvocationRecord, RequestLogEntry, ToFront } from './protocol.js';

/**
 * An HTTP front thread (docs/decisions/0008-http-front-threads.md): accepts connections on
 * the server's listening socket beside the other front threads, answers InvokeEndpoint for the
 * endpoints in its routing table, and passes every other request on to the main thread.
 */

/** Requests larger than this are passed on unread (in-process lanes take far smaller ones). */
const LARGEST_ANSWERED_BODY = 64 * 1024;
const REPORT_INTERVAL_MS = 100;

const data = workerData as FrontThreadData;
const port = parentPort!;
const post = (m: FromFront) => port.postMessage(m);
const router = new FrontRouter();
for (const [endpoint, route] of data.routes) router.set(endpoint, route);
const passOn = createPassOn(data.mainPort);

let records: InvocationRecord[] = [];
let requests: RequestLogEntry[] = [];
let passedOn = 0;
function report(): void {
  if (records.length === 0 && passedOn === 0) return;
  post({ type: 'invocations', records, passedOn, ...(requests.length ? { requests } : {}) });
  records = [];
  requests = [];
  passedOn = 0;
}
const reporter = setInterval(report, REPORT_INTERVAL_MS);

const metrics: InvocationRecorder = {
  recordInvocation(endpoint, variant, status, modelLatencyUs, overheadLatencyUs) {
    records.push([endpoint, variant, status, modelLatencyUs, overheadLatencyUs]);
  },
  // Only the fleet throttles or fails to reach a variant; such requests are passed on first.
  recordRouterFailure: () => undefined,
};
const logGroupArn = (endpoint: string) =>
  `arn:aws:logs:${data.region}:${data.accountId}:log-group:/aws/sagemaker/Endpoints/${endpoint}`;
const lookupSecret = (id: string) => (id === data.accessKeyId ? data.secretAccessKey : undefined);

const INVOCATIONS_PATH = /^\/endpoints\/([^/?]+)\/invocations(\?|$)/;

/** The endpoint of an InvokeEndpoint this thread may answer; undefined: pass the request on. */
function answerableEndpoint(req: IncomingMessage): string | undefined {
  if (req.method !== 'POST') return undefined;
  const m = INVOCATIONS_PATH.exec(req.url ?? '');
  if (!m || !router.has(m[1]!)) return undefined;
  // Passed on unread when larger, or without a length (chunked); the signature's service is
  // checked once verified.
  const length = Number(req.headers['content-length']);
  return length <= LARGEST_ANSWERED_BODY ? m[1] : undefined;
}

function send(req: IncomingMessage, res: ServerResponse, body?: Buffer): void {
  passedOn++;
  passOn(req, res, body);
}

/** Reads, verifies and answers an invocation, or passes it on; never rejects. */
function answer(req: IncomingMessage, res: ServerResponse, endpoint: string): void {
  // Callbacks rather than promises: this runs for every request the thread answers.
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('error', () => res.destroy());
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    let service: string;
    try {
      service = verifySigV4(req, {
        dialect: 'json',
        lookupSecret,
        maxSkewSeconds: data.maxClockSkewSeconds,
        bodySha256: sha256Hex(body),
      }).service;
    } catch {
      // The main thread answers with the exact error (and logs it, if it logs requests).
      return send(req, res, body);
    }
    if (service !== 'sagemaker') return send(req, res, body);
    // As on the main thread: OverheadLatency starts once the request is read and verified.
    const startedAt = performance.now();
    const taken = router.submit(endpoint, invocationRequest(req, body, false), (outcome) => {
      // A lane that threw: the main thread's fleet answers as it does for a failed instance.
      if (outcome instanceof Error) return send(req, res, body);
      const requestId = randomUUID();
      if (outcome.status < 200 || outcome.status > 299) {
        sendJsonError(res, modelError(outcome, logGroupArn(endpoint)), requestId);
      } else {
        writeInvocationAnswer(res, outcome, requestId);
      }
      recordAnswer(metrics, endpoint, outcome, startedAt);
      if (data.logRequests) {
        requests.push({
          requestId,
          method: 'POST',
          path: `/endpoints/${endpoint}/invocations`,
          status: res.statusCode,
          ms: Math.round(performance.now() - startedAt),
        });
      }
    });
    if (!taken) send(req, res, body);
  });
}

const server = createServer(
  { requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 65_000 },
  (req, res) => {
    const endpoint = answerableEndpoint(req);
    if (endpoint === undefined) send(req, res);
    else answer(req, res, endpoint);
  },
);
server.listen({ fd: data.fd }, () => post({ type: 'listening' }));

port.on('message', (m: ToFront) => {
  if (m.type === 'route') {
    router.set(m.endpoint, m.route);
    post({ type: 'ack', id: m.id });
  } else if (m.type === 'close') {
    server.close(() => {
      clearInterval(reporter);
      report();
      post({ type: 'closed' });
    });
    server.closeIdleConnections();
  }
});
