import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, isAwsError } from '../../errors/aws-error.js';
import type { InferenceRouter, InvocationRequest, InvocationResult } from '../../ports/endpoint-fleet.js';
import type { InvocationRecorder } from '../../services/endpoint-metrics.js';
import { payloadPart, streamException } from './event-stream.js';

/** SageMaker Runtime's payload limit for InvokeEndpoint (6 MB). */
export const MAX_INVOCATION_BYTES = 6 * 1024 * 1024;

export function isRuntimePath(path: string): boolean {
  return path.startsWith('/endpoints/');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** A router failure that still reached (or was refused by) a variant, with the status to record. */
function routerFailureStatus(e: unknown): number | undefined {
  if (!isAwsError(e)) return undefined;
  if (e.code === 'ModelError') return 500;
  if (e.code === 'ThrottlingException' || e.code === 'ServiceUnavailable') return 0;
  return undefined;
}

/** Records an answered invocation; its OverheadLatency ends now, so call it once the answer is settled. */
export function recordAnswer(
  metrics: InvocationRecorder | undefined,
  endpointName: string,
  result: InvocationResult,
  startedAt: number,
): void {
  if (!metrics) return;
  const overhead = (performance.now() - startedAt) * 1000 - result.modelLatencyUs;
  metrics.recordInvocation(
    endpointName,
    result.variantName,
    result.status,
    result.modelLatencyUs,
    Math.max(overhead, 0),
  );
}

/** What an invocation needs besides the request: where to route it and what to record. */
export interface InvocationContext {
  readonly router: InferenceRouter;
  readonly requestId: string;
  readonly logGroupArn: (endpoint: string) => string;
  readonly metrics: InvocationRecorder | undefined;
  /** performance.now() when Lathe began handling the request (OverheadLatency starts there). */
  readonly startedAt: number;
  /** Data capture of answered invocations (DataCaptureConfig); absent: nothing is captured. */
  readonly capture: InvocationCapture | undefined;
}

/** Data capture as the runtime sees it: whether an endpoint captures, and the hand-over. */
export interface InvocationCapture {
  /** Cheap: checked on every answered invocation before anything is built for capture. */
  capturing(endpoint: string): boolean;
  /** Samples and buffers one answered invocation. */
  record(
    endpoint: string,
    variant: string,
    input: { readonly body: Buffer; readonly contentType: string | undefined; readonly inferenceId?: string },
    output: { readonly body: Buffer; readonly contentType: string },
  ): void;
}

/** The invocation a request asks for: its body and the SageMaker Runtime headers. */
export function invocationRequest(req: IncomingMessage, body: Buffer, stream: boolean): InvocationRequest {
  return {
    body,
    contentType: header(req, 'content-type'),
    accept: header(req, 'accept'),
    customAttributes: header(req, 'x-amzn-sagemaker-custom-attributes'),
    targetVariant: header(req, 'x-amzn-sagemaker-target-variant'),
    inferenceId: header(req, 'x-amzn-sagemaker-inference-id'),
    targetContainerHostname: header(req, 'x-amzn-sagemaker-target-container-hostname'),
    targetModel: header(req, 'x-amzn-sagemaker-target-model'),
    ...(stream ? { stream } : {}),
  };
}

/** The ModelError a model's non-2xx answer becomes, as SageMaker words it. */
export function modelError(result: InvocationResult, logGroupArn: string): AwsError {
  const text = result.body.toString('utf8').slice(0, 4096);
  const kind = result.status >= 500 ? 'server' : 'client';
  return new AwsError(
    'ModelError',
    `Received ${kind} error (${result.status}) from primary with message "${text}". See ${logGroupArn} for more information.`,
    { OriginalStatusCode: result.status, OriginalMessage: text, LogStreamArn: logGroupArn },
  );
}

/** Writes a model's 2xx answer as InvokeEndpoint returns it. */
export function writeInvocationAnswer(
  res: ServerResponse,
  result: InvocationResult,
  requestId: string,
): void {
  const headers: Record<string, string | number> = {
    'content-type': result.contentType,
    'content-length': result.body.length,
    'x-amzn-invoked-production-variant': result.variantName,
    'x-amzn-requestid': requestId,
  };
  if (result.customAttributes) headers['x-amzn-sagemaker-custom-attributes'] = result.customAttributes;
  res.writeHead(200, headers);
  res.end(result.body);
}

/**
 * Routes an invocation and turns a model's non-2xx answer into ModelError (recorded). A 2xx
 * result is returned unrecorded: the caller records it once the answer is written.
 */
async function invokeRouted(
  req: IncomingMessage,
  body: Buffer,
  endpointName: string,
  ctx: InvocationContext,
  stream: boolean,
): Promise<InvocationResult> {
  const request = invocationRequest(req, body, stream);
  let result: InvocationResult;
  try {
    result = await ctx.router.invoke(endpointName, request);
  } catch (e) {
    const status = routerFailureStatus(e);
    if (ctx.metrics && status !== undefined)
      ctx.metrics.recordRouterFailure(endpointName, request.targetVariant, status);
    throw e;
  }
  if (result.status < 200 || result.status > 299) {
    recordAnswer(ctx.metrics, endpointName, result, ctx.startedAt);
    throw modelError(result, ctx.logGroupArn(endpointName));
  }
  return result;
}

/**
 * InvokeEndpoint (REST-JSON): `POST /endpoints/{name}/invocations`, raw body in, the model's
 * bytes out, with `x-Amzn-Invoked-Production-Variant`. A model's non-2xx becomes ModelError.
 */
export async function invokeNamedEndpoint(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  endpointName: string,
  ctx: InvocationContext,
): Promise<void> {
  const result = await invokeRouted(req, body, endpointName, ctx, false);
  writeInvocationAnswer(res, result, ctx.requestId);
  recordAnswer(ctx.metrics, endpointName, result, ctx.startedAt);
  if (ctx.capture?.capturing(endpointName)) {
    const inferenceId = header(req, 'x-amzn-sagemaker-inference-id');
    ctx.capture.record(
      endpointName,
      result.variantName,
      {
        body,
        contentType: header(req, 'content-type'),
        ...(inferenceId === undefined ? {} : { inferenceId }),
      },
      { body: result.body, contentType: result.contentType },
    );
  }
}

/**
 * InvokeEndpointWithResponseStream: `POST /endpoints/{name}/invocations-response-stream`. The
 * answer is an event stream of `PayloadPart`s: each part a model server streams, or the whole
 * answer of a model that does not. A model that fails before answering is a ModelError, as
 * with InvokeEndpoint; one that fails mid-stream ends it with a `ModelStreamError` event.
 */
export async function invokeNamedEndpointStream(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  endpointName: string,
  ctx: InvocationContext,
): Promise<void> {
  const result = await invokeRouted(req, body, endpointName, ctx, true);
  const headers: Record<string, string> = {
    'content-type': 'application/vnd.amazon.eventstream',
    'x-amzn-sagemaker-content-type': result.contentType,
    'x-amzn-invoked-production-variant': result.variantName,
    'x-amzn-requestid': ctx.requestId,
  };
  if (result.customAttributes) headers['x-amzn-sagemaker-custom-attributes'] = result.customAttributes;
  res.writeHead(200, headers);
  if (!result.chunks) {
    res.end(payloadPart(result.body));
  } else {
    try {
      for await (const chunk of result.chunks) {
        // The client went away: leaving the loop closes the model server's answer too.
        if (res.destroyed) break;
        if (chunk.length > 0) res.write(payloadPart(chunk));
      }
      res.end();
    } catch (e) {
      res.end(streamException('ModelStreamError', `The model's stream ended early: ${(e as Error).message}`));
    }
  }
  recordAnswer(ctx.metrics, endpointName, result, ctx.startedAt);
}
