import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from '../../errors/aws-error.js';
import type { InferenceRouter } from '../../ports/endpoint-fleet.js';

/** SageMaker Runtime's payload limit for InvokeEndpoint (6 MB). */
export const MAX_INVOCATION_BYTES = 6 * 1024 * 1024;

const ENDPOINT_PATH = /^\/endpoints\/([^/]+)\/invocations$/;

export function isRuntimePath(path: string): boolean {
  return path.startsWith('/endpoints/');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * InvokeEndpoint (REST-JSON): `POST /endpoints/{name}/invocations`, raw body in, the model's
 * bytes out, with `x-Amzn-Invoked-Production-Variant`. A model's non-2xx becomes ModelError.
 */
export async function invokeEndpoint(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  router: InferenceRouter,
  requestId: string,
  logGroupArn: (endpoint: string) => string,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const m = ENDPOINT_PATH.exec(path);
  if (!m || req.method !== 'POST') {
    throw new AwsError('ValidationError', `No runtime operation at ${req.method} ${path}.`);
  }
  const endpointName = decodeURIComponent(m[1]!);
  if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/.test(endpointName) || endpointName.length > 63) {
    throw new AwsError(
      'ValidationError',
      `1 validation error detected: Value '${endpointName}' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*`,
    );
  }
  const result = await router.invoke(endpointName, {
    body,
    contentType: header(req, 'content-type'),
    accept: header(req, 'accept'),
    customAttributes: header(req, 'x-amzn-sagemaker-custom-attributes'),
    targetVariant: header(req, 'x-amzn-sagemaker-target-variant'),
    inferenceId: header(req, 'x-amzn-sagemaker-inference-id'),
  });
  if (result.status < 200 || result.status > 299) {
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
}
