/**
 * Child-process entry of a TypeScript/JavaScript script-mode model instance: the inference
 * toolkit's handler contract in camelCase (modelFn, inputFn, predictFn, outputFn, or
 * transformFn; snake_case names work too) behind GET /ping and POST /invocations.
 * Prints "LATHE_READY <port>" once the model is loaded.
 */
import { existsSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Handlers = {
  modelFn?: (modelDir: string) => unknown;
  inputFn?: (body: Buffer, contentType: string | undefined) => unknown;
  predictFn?: (data: unknown, model: unknown) => unknown;
  outputFn?: (prediction: unknown, accept: string | undefined) => unknown;
  transformFn?: (
    model: unknown,
    body: Buffer,
    contentType: string | undefined,
    accept: string | undefined,
  ) => unknown;
};

const modelDir = process.env.SM_MODEL_DIR ?? '';
const codeDir = process.env.LATHE_CODE_DIR || join(modelDir, 'code');
const program = process.env.SAGEMAKER_PROGRAM ?? 'inference.js';
const defaultAccept = process.env.SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT ?? 'application/json';

class HandlerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function defaultInput(body: Buffer, contentType: string | undefined): unknown {
  const kind = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (kind === 'application/json') return JSON.parse(body.toString('utf8'));
  if (kind === 'text/csv') {
    return body
      .toString('utf8')
      .trim()
      .split(/\r?\n/)
      .map((line) => line.split(',').map(Number));
  }
  throw new HandlerError(415, `Content type ${contentType} is not supported by the default inputFn`);
}

function defaultOutput(prediction: unknown, accept: string | undefined): [string, string] {
  const kind = !accept || accept === '*/*' ? defaultAccept : accept.split(';')[0]!.trim().toLowerCase();
  if (kind === 'application/json') return [JSON.stringify(prediction), 'application/json'];
  if (kind === 'text/csv') {
    const rows = Array.isArray(prediction) ? prediction : [prediction];
    return [`${rows.map((r) => (Array.isArray(r) ? r.join(',') : String(r))).join('\n')}\n`, 'text/csv'];
  }
  throw new HandlerError(406, `Accept ${accept} is not supported by the default outputFn`);
}

const entry = join(codeDir, program);
if (!existsSync(entry)) throw new Error(`SAGEMAKER_PROGRAM ${program} not found in ${codeDir}`);
const user = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
const pick = <K extends keyof Handlers>(camel: K, snake: string) =>
  (user[camel] ??
    user[snake] ??
    (user.default as Record<string, unknown> | undefined)?.[camel]) as Handlers[K];
const modelFn = pick('modelFn', 'model_fn');
if (!modelFn) throw new Error(`${program} must export modelFn(modelDir)`);
const model = await modelFn(modelDir);
const transformFn = pick('transformFn', 'transform_fn');
const inputFn = pick('inputFn', 'input_fn') ?? defaultInput;
const predictFn =
  pick('predictFn', 'predict_fn') ??
  ((data: unknown, m: unknown) => (m as { predict(d: unknown): unknown }).predict(data));
const outputFn = pick('outputFn', 'output_fn') ?? defaultOutput;

/** A handler's answer: whole, or streamed (a generator or any async iterable of parts). */
type Answer = { readonly type: string } & (
  | { readonly body: Buffer }
  | { readonly parts: AsyncIterable<unknown> | Iterable<unknown> }
);

const isStream = (v: unknown): v is AsyncIterable<unknown> | Iterable<unknown> =>
  typeof v === 'object' &&
  v !== null &&
  !Buffer.isBuffer(v) &&
  !Array.isArray(v) &&
  (Symbol.asyncIterator in v || (Symbol.iterator in v && 'next' in v));

const bytes = (v: unknown): Buffer =>
  Buffer.isBuffer(v) ? v : Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

async function handle(body: Buffer, contentType?: string, accept?: string): Promise<Answer> {
  const result = transformFn
    ? await transformFn(model, body, contentType, accept)
    : await outputFn(await predictFn(await inputFn(body, contentType), model), accept);
  const [payload, type] = Array.isArray(result)
    ? (result as [unknown, string])
    : [result, accept && accept !== '*/*' ? accept : defaultAccept];
  return isStream(payload) ? { type, parts: payload } : { type, body: bytes(payload) };
}

/** Writes a streamed answer part by part (chunked); a failing part cuts the connection. */
async function writeParts(
  res: ServerResponse,
  type: string,
  parts: AsyncIterable<unknown> | Iterable<unknown>,
) {
  res.writeHead(200, { 'content-type': type });
  try {
    for await (const part of parts) res.write(bytes(part));
    res.end();
  } catch (e) {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    res.destroy(e as Error);
  }
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/ping') {
    res.writeHead(200).end();
    return;
  }
  if (req.method !== 'POST' || req.url !== '/invocations') {
    res.writeHead(404).end('not found');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    handle(Buffer.concat(chunks), req.headers['content-type'], req.headers.accept).then(
      async (answer) => {
        if ('parts' in answer) return writeParts(res, answer.type, answer.parts);
        res
          .writeHead(200, { 'content-type': answer.type, 'content-length': answer.body.length })
          .end(answer.body);
      },
      (e: Error & { status?: number; statusCode?: number }) => {
        const status = e instanceof HandlerError ? e.status : (e.statusCode ?? e.status ?? 500);
        const text = `${e.message}\n${e.stack ?? ''}`;
        process.stderr.write(`${text}\n`);
        res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
      },
    );
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`LATHE_READY ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
// Lathe holds our stdin open; end-of-file means it is gone, so this instance goes too.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
