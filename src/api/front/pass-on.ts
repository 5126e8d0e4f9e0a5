import { Agent, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { AwsError } from '../../errors/aws-error.js';
import { sendJsonError } from '../http-io.js';

/** Headers of one connection, not of the request or answer: never passed along. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

function endToEnd(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

const ignore = () => undefined;

/**
 * How long a connection to the main thread may stay idle before the front thread closes it;
 * the main thread's loopback listener keeps idle connections longer, so it never closes one
 * a request is about to be sent on.
 */
export const PASS_ON_IDLE_MS = 30_000;

/**
 * Passes a request on to the main thread's loopback port and streams its answer back: the
 * same method, path and headers (so the signature verifies there as it would here), the body
 * streamed, or the bytes already read. The main thread answers it exactly as if it had
 * accepted the connection itself.
 */
export function createPassOn(
  mainPort: number,
): (req: IncomingMessage, res: ServerResponse, body?: Buffer) => void {
  const agent = new Agent({ keepAlive: true, scheduling: 'lifo', timeout: PASS_ON_IDLE_MS });
  return (req, res, body) => {
    let upstream: ReturnType<typeof request>;
    try {
      upstream = request({
        host: '127.0.0.1',
        port: mainPort,
        method: req.method,
        path: req.url,
        headers: endToEnd(req.rawHeaders),
        setHost: false,
        agent,
      });
    } catch (e) {
      // Node's client refuses what its server accepted (it validates more strictly): answer here
      // rather than end the thread.
      req.resume();
      sendJsonError(
        res,
        new AwsError('ValidationException', `Malformed request: ${(e as Error).message}`),
        '',
      );
      return;
    }
    upstream.on('response', (answer) => {
      res.sendDate = false; // the main thread's Date header comes along
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.rawHeaders));
      pipeline(answer, res, ignore);
    });
    upstream.on('error', () => {
      if (res.headersSent) res.destroy();
      else sendJsonError(res, new AwsError('ServiceUnavailable', 'Lathe is shutting down; retry.'), '');
    });
    // The client went away: so does the request to the main thread.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    if (body) upstream.end(body);
    else pipeline(req, upstream, ignore);
  };
}
