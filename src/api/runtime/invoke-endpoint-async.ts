import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from '../../errors/aws-error.js';
import {
  ASYNC_LIMITS,
  type AsyncInvocationInput,
  type AsyncInvocationService,
} from '../../services/async-invocations.js';

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** A validation message in the shape AWS's request validation uses. */
function invalid(value: string | undefined, member: string, constraint: string): AwsError {
  const shown = value === undefined ? 'null' : `'${value}'`;
  return new AwsError(
    'ValidationError',
    `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

function text(req: IncomingMessage, name: string, member: string, max: number): string | undefined {
  const v = header(req, name);
  if (v !== undefined && v.length > max) {
    throw invalid(v.slice(0, 64), member, `Member must have length less than or equal to ${max}`);
  }
  return v;
}

function seconds(
  req: IncomingMessage,
  name: string,
  member: string,
  bounds: { readonly min: number; readonly max: number },
): number | undefined {
  const v = header(req, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw invalid(v, member, 'Member must be an integer');
  const n = Number(v.trim());
  if (n < bounds.min)
    throw invalid(v, member, `Member must have value greater than or equal to ${bounds.min}`);
  if (n > bounds.max) throw invalid(v, member, `Member must have value less than or equal to ${bounds.max}`);
  return n;
}

/** InvokeEndpointAsync's headers → the service's input, or ValidationError naming the member. */
export function asyncInvocationInput(req: IncomingMessage): AsyncInvocationInput {
  const inputLocation = text(req, 'x-amzn-sagemaker-inputlocation', 'inputLocation', 1024);
  if (inputLocation === undefined || inputLocation === '') {
    throw invalid(undefined, 'inputLocation', 'Member must not be null');
  }
  if (!/^s3:\/\/[^/]+\/.+/.test(inputLocation)) {
    throw new AwsError(
      'ValidationError',
      `InputLocation '${inputLocation}' is not supported: give an S3 object URI, s3://<bucket>/<key>.`,
    );
  }
  const inferenceId = text(req, 'x-amzn-sagemaker-inference-id', 'inferenceId', 64);
  if (inferenceId !== undefined && !/^\S[\x20-\x7e]*$/.test(inferenceId)) {
    throw invalid(
      inferenceId,
      'inferenceId',
      'Member must satisfy regular expression pattern: \\A\\S[\\p{Print}]*\\z',
    );
  }
  return {
    inputLocation,
    contentType: text(req, 'x-amzn-sagemaker-content-type', 'contentType', 1024),
    accept: text(req, 'x-amzn-sagemaker-accept', 'accept', 1024),
    customAttributes: text(req, 'x-amzn-sagemaker-custom-attributes', 'customAttributes', 1024),
    inferenceId,
    requestTtlSeconds: seconds(
      req,
      'x-amzn-sagemaker-requestttlseconds',
      'requestTTLSeconds',
      ASYNC_LIMITS.requestTtlSeconds,
    ),
    invocationTimeoutSeconds: seconds(
      req,
      'x-amzn-sagemaker-invocationtimeoutseconds',
      'invocationTimeoutSeconds',
      ASYNC_LIMITS.invocationTimeoutSeconds,
    ),
    outputPathExtension: text(req, 'x-amzn-sagemaker-s3outputpathextension', 's3OutputPathExtension', 1024),
    filename: text(req, 'x-amzn-sagemaker-filename', 'filename', 1024),
  };
}

/**
 * InvokeEndpointAsync (REST-JSON): `POST /endpoints/{name}/async-invocations`. The request is
 * stored durably before the 202 `{"InferenceId": …}` with the OutputLocation and
 * FailureLocation headers is sent.
 */
export async function invokeEndpointAsync(
  req: IncomingMessage,
  res: ServerResponse,
  endpointName: string,
  service: AsyncInvocationService,
  requestId: string,
): Promise<void> {
  const accepted = await service.submit(endpointName, asyncInvocationInput(req));
  const text = JSON.stringify({ InferenceId: accepted.inferenceId });
  res.writeHead(202, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    'x-amzn-sagemaker-outputlocation': accepted.outputLocation,
    'x-amzn-sagemaker-failurelocation': accepted.failureLocation,
  });
  res.end(text);
}
