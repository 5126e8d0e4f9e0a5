import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from '../errors/aws-error.js';

/** Reads a whole request body, refusing (413) bodies above `limit` bytes without buffering them. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) return Promise.reject(tooLarge(declared, limit));
  // Event-based rather than `for await`, and not an async function: this runs on every
  // request, and both the async iterator and a second promise cost measurably more.
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        reject(tooLarge(size, limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function tooLarge(size: number, limit: number): AwsError {
  return new AwsError(
    'RequestEntityTooLarge',
    `Request body of ${size} bytes exceeds the limit of ${limit} bytes.`,
  );
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/x-amz-json-1.1',
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** AWS JSON (1.0/1.1 and rest-json) error body: what botocore and the JS SDK v3 parse. */
export function sendJsonError(
  res: ServerResponse,
  error: AwsError,
  requestId: string,
  contentType?: string,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = { __type: error.code, message: error.message, Message: error.message, ...error.extra };
  sendJson(res, error.status, body, contentType, {
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': error.code,
  });
}
