import { isAwsError } from '../../errors/aws-error.js';
import type { InferenceRouter, InvocationResult } from '../../ports/endpoint-fleet.js';
import type { ObjectStore } from '../../ports/object-store.js';
import type { DataCaptureService } from '../data-capture.js';
import type { InvocationRecorder } from '../endpoint-metrics.js';
import { parseS3Object } from './locations.js';

/** One queued InvokeEndpointAsync request, as stored in the work queue (JSON). */
export interface AsyncRequest {
  readonly endpoint: string;
  readonly inferenceId: string;
  readonly inputLocation: string;
  readonly contentType?: string;
  readonly accept?: string;
  readonly customAttributes?: string;
  readonly outputLocation: string;
  readonly failureLocation: string;
  readonly requestTtlSeconds: number;
  readonly invocationTimeoutSeconds: number;
  /** When the 202 was sent, epoch ms. */
  readonly receivedAt: number;
}

/** What became of a request: written (either object), or to be tried again later. */
export type RunOutcome =
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'expired' }
  | { readonly kind: 'retry'; readonly reason: string };

export interface RunDeps {
  readonly objects: ObjectStore;
  readonly router: InferenceRouter;
  readonly metrics?: InvocationRecorder;
  readonly now: () => number;
  readonly maxInputBytes: number;
  readonly logGroupArn: (endpoint: string) => string;
  /** Told when the model invocation settles (also after a timeout), to free the concurrency slot. */
  readonly onModelSettled: () => void;
  /** True once the service is closing: results are then dropped (the item is released). */
  readonly abandoned: () => boolean;
  /** Data capture of answered requests (the endpoint's DataCaptureConfig). */
  readonly capture?: Pick<DataCaptureService, 'capturing' | 'record'>;
}

class InputError extends Error {}

async function readInput(deps: RunDeps, location: string): Promise<Buffer> {
  const where = parseS3Object(location);
  if (!where) throw new InputError(`The input location ${location} is not an S3 object URI.`);
  let object: Awaited<ReturnType<ObjectStore['getObject']>>;
  try {
    object = await deps.objects.getObject(where.bucket, where.key);
  } catch (e) {
    const code = isAwsError(e) ? e.code : 'InternalError';
    throw new InputError(`Could not read the input ${location}: ${code}.`);
  }
  if (object.info.size > deps.maxInputBytes) {
    object.body.destroy();
    throw new InputError(`The input ${location} is larger than ${deps.maxInputBytes} bytes.`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of object.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function put(deps: RunDeps, location: string, body: Buffer, contentType: string): Promise<void> {
  const where = parseS3Object(location);
  if (!where) throw new Error(`${location} is not an S3 object URI`);
  await deps.objects.putObject(where.bucket, where.key, body, { contentType });
}

const TIMED_OUT = Symbol('timed out');

/** The message a non-2xx model answer gets, as InvokeEndpoint's ModelError words it. */
function modelErrorText(deps: RunDeps, endpoint: string, result: InvocationResult): string {
  const text = result.body.toString('utf8').slice(0, 4096);
  const kind = result.status >= 500 ? 'server' : 'client';
  return `Received ${kind} error (${result.status}) from primary with message "${text}". See ${deps.logGroupArn(endpoint)} for more information.`;
}

/**
 * Runs one async request: checks its TTL, reads the input, invokes the model within the
 * invocation timeout, and writes the output object or the failure object (whose body is the
 * reason). Throttling and "no instance" answers of the router are retried later, not failed.
 */
export async function runAsyncRequest(
  deps: RunDeps,
  request: AsyncRequest,
  enqueuedAt: number,
): Promise<RunOutcome> {
  const fail = async (reason: string): Promise<RunOutcome> => {
    if (deps.abandoned()) return { kind: 'retry', reason: 'shutting down' };
    await put(deps, request.failureLocation, Buffer.from(reason), 'text/plain; charset=utf-8');
    return { kind: 'failed', reason };
  };

  const waited = deps.now() - Math.min(enqueuedAt, request.receivedAt);
  if (waited > request.requestTtlSeconds * 1000) {
    deps.onModelSettled();
    const reason = `The request expired: it waited ${Math.round(waited / 1000)} s in the queue, longer than its RequestTTLSeconds (${request.requestTtlSeconds} s).`;
    const out = await fail(reason);
    return out.kind === 'failed' ? { kind: 'expired' } : out;
  }

  let body: Buffer;
  try {
    body = await readInput(deps, request.inputLocation);
  } catch (e) {
    deps.onModelSettled();
    if (e instanceof InputError) return fail(e.message);
    throw e;
  }

  const started = performance.now();
  const invocation = deps.router.invoke(request.endpoint, {
    body,
    ...(request.contentType === undefined ? {} : { contentType: request.contentType }),
    ...(request.accept === undefined ? {} : { accept: request.accept }),
    ...(request.customAttributes === undefined ? {} : { customAttributes: request.customAttributes }),
    inferenceId: request.inferenceId,
    timeoutMs: request.invocationTimeoutSeconds * 1000,
  });
  void invocation.then(deps.onModelSettled, deps.onModelSettled);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), request.invocationTimeoutSeconds * 1000);
  });
  let result: InvocationResult | typeof TIMED_OUT;
  try {
    result = await Promise.race([invocation, timeout]);
  } catch (e) {
    if (isAwsError(e) && (e.code === 'ThrottlingException' || e.code === 'ServiceUnavailable')) {
      deps.metrics?.recordRouterFailure(request.endpoint, undefined, 0);
      return { kind: 'retry', reason: e.message };
    }
    if (isAwsError(e) && e.code === 'ModelError') {
      deps.metrics?.recordRouterFailure(request.endpoint, undefined, 500);
    }
    return fail(isAwsError(e) ? e.message : `Internal failure: ${String(e)}`);
  } finally {
    clearTimeout(timer);
  }
  if (result === TIMED_OUT) {
    deps.metrics?.recordRouterFailure(request.endpoint, undefined, 500);
    return fail(
      `The model did not answer within the InvocationTimeoutSeconds of the request (${request.invocationTimeoutSeconds} s).`,
    );
  }
  if (deps.abandoned()) return { kind: 'retry', reason: 'shutting down' };
  const ok = result.status >= 200 && result.status <= 299;
  if (ok && deps.capture?.capturing(request.endpoint)) {
    deps.capture.record(
      request.endpoint,
      result.variantName,
      { body, contentType: request.contentType, inferenceId: request.inferenceId },
      { body: result.body, contentType: result.contentType },
    );
  }
  const outcome = ok
    ? await put(deps, request.outputLocation, result.body, result.contentType).then(
        (): RunOutcome => ({
          kind: 'succeeded',
        }),
      )
    : await fail(modelErrorText(deps, request.endpoint, result));
  const totalUs = (performance.now() - started) * 1000;
  deps.metrics?.recordInvocation(
    request.endpoint,
    result.variantName,
    result.status,
    result.modelLatencyUs,
    Math.max(0, totalUs - result.modelLatencyUs),
  );
  return outcome;
}
