import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, isAwsError } from '../../errors/aws-error.js';
import type { InferenceRouter, InvocationResult } from '../../ports/endpoint-fleet.js';
import type { InvocationRecorder } from '../../services/endpoint-metrics.js';

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
function recordAnswer(
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

/**
 * InvokeEndpoint (REST-JSON): `POST /endpoints/{name}/invocations`, raw body in, the model's
 * bytes out, with `x-Amzn-Invoked-Production-Variant`. A model's non-2xx becomes ModelError.
 * `startedAt` (performance.now()) is when Lathe began handling the request; OverheadLatency is
 * the time from then to the response, minus ModelLatency.
 */
export async function invokeNamedEndpoint(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  endpointName: string,
  router: InferenceRouter,
  requestId: string,
  logGroupArn: (endpoint: string) => string,
  metrics: InvocationRecorder | undefined,
  startedAt: number,
): Promise<void> {
  const targetVariant = header(req, 'x-amzn-sagemaker-target-variant');
  let result: InvocationResult;
  try {
    result = await router.invoke(endpointName, {
      body,
      contentType: header(req, 'content-type'),
      accept: header(req, 'accept'),
      customAttributes: header(req, 'x-amzn-sagemaker-custom-attributes'),
      targetVariant,
      inferenceId: header(req, 'x-amzn-sagemaker-inference-id'),
      targetContainerHostname: header(req, 'x-amzn-sagemaker-target-container-hostname'),
      targetModel: header(req, 'x-amzn-sagemaker-target-model'),
    });
  } catch (e) {
    const status = routerFailureStatus(e);
    if (metrics && status !== undefined) metrics.recordRouterFailure(endpointName, targetVariant, status);
    throw e;
  }
  if (result.status < 200 || result.status > 299) {
    recordAnswer(metrics, endpointName, result, startedAt);
    const text = result.body.toString('utf8').slice(0, 4096);
    const kind = result.status >= 500 ? 'server' : 'client';
    throw new AwsError(
      'ModelError',
      `Received ${kind} error (${result.status}) from primary with message "${text}". See ${logGroupArn(endpointName)} for more information.`,
      { OriginalStatusCode: result.status, OriginalMessage: text, LogStreamArn: logGroupArn(endpointName) },
    );
  }
  const headers: Record<string, string | number> = {
    'content-type': result.contentType,
    'content-length': result.body.length,
    'x-amzn-invoked-production-variant': result.variantName,
    'x-amzn-requestid': requestId,
  };
  if (result.customAttributes) headers['x-amzn-sagemaker-custom-attributes'] = result.customAttributes;
  res.writeHead(200, headers);
  res.end(result.body);
  recordAnswer(metrics, endpointName, result, startedAt);
}
