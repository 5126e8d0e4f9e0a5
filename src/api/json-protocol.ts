import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from '../errors/aws-error.js';
import { sendJson } from './http-io.js';
import type { CallContext, OperationTable } from './operation.js';

/**
 * AWS JSON 1.1 RPC: `POST /` with `X-Amz-Target: <prefix>.<Operation>` and a JSON object body.
 */
export async function dispatchJsonRpc(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  targetPrefix: string,
  table: OperationTable,
  ctx: CallContext,
): Promise<void> {
  const target = req.headers['x-amz-target'];
  if (req.method !== 'POST' || typeof target !== 'string') {
    throw new AwsError('UnknownOperationException', 'Requests must be POST with an X-Amz-Target header.');
  }
  const dot = target.lastIndexOf('.');
  const prefix = target.slice(0, dot);
  const name = target.slice(dot + 1);
  const op = prefix === targetPrefix && Object.hasOwn(table, name) ? table[name] : undefined;
  if (!op) {
    throw new AwsError('UnknownOperationException', `Unknown operation ${target}.`);
  }
  let input: unknown = {};
  if (body.length > 0) {
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch {
      throw new AwsError('SerializationException', 'The request body is not valid JSON.');
    }
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new AwsError('SerializationException', 'The request body must be a JSON object.');
  }
  const output = await op(input, ctx);
  sendJson(res, 200, output ?? {}, 'application/x-amz-json-1.1', { 'x-amzn-requestid': ctx.requestId });
}
