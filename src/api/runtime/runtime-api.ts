import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from '../../errors/aws-error.js';
import type { InferenceRouter } from '../../ports/endpoint-fleet.js';
import type { AsyncInvocationService } from '../../services/async-invocations.js';
import type { InvocationRecorder } from '../../services/endpoint-metrics.js';
import { type InvocationCapture, invokeNamedEndpoint, invokeNamedEndpointStream } from './invoke-endpoint.js';
import { invokeEndpointAsync } from './invoke-endpoint-async.js';

export { isRuntimePath, MAX_INVOCATION_BYTES } from './invoke-endpoint.js';

export interface RuntimeApiDeps {
  readonly router: InferenceRouter;
  readonly region: string;
  readonly accountId: string;
  /** Endpoint metrics; absent: nothing is recorded. */
  readonly metrics?: InvocationRecorder;
  /** Data capture of real-time invocations; absent: nothing is captured. */
  readonly capture?: InvocationCapture;
  /** InvokeEndpointAsync; absent: the operation answers ValidationError. */
  readonly asyncInvocations?: AsyncInvocationService;
}

/** Handles one signed SageMaker Runtime request whose body has been read. */
export type RuntimeApi = (
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  requestId: string,
) => Promise<void>;

const RUNTIME_PATH = /^\/endpoints\/([^/]+)\/(invocations|invocations-response-stream|async-invocations)$/;
const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;

/** The SageMaker Runtime API: InvokeEndpoint and InvokeEndpointAsync. */
export function createRuntimeApi(deps: RuntimeApiDeps): RuntimeApi {
  const logGroupArn = (endpoint: string) =>
    `arn:aws:logs:${deps.region}:${deps.accountId}:log-group:/aws/sagemaker/Endpoints/${endpoint}`;
  // Not async: the invocation's own promise is returned as it is (an async wrapper would add
  // a promise and microtask turns to every request).
  return (req, res, body, requestId) => {
    try {
      return route(req, res, body, requestId);
    } catch (e) {
      return Promise.reject(e);
    }
  };

  function route(req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string): Promise<void> {
    const startedAt = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const m = RUNTIME_PATH.exec(path);
    if (!m || req.method !== 'POST') {
      throw new AwsError('ValidationError', `No runtime operation at ${req.method} ${path}.`);
    }
    let endpointName: string;
    try {
      endpointName = decodeURIComponent(m[1]!);
    } catch {
      throw new AwsError('ValidationError', `The endpoint name in ${path} is not valid percent-encoding.`);
    }
    if (endpointName.length > 63 || !ENDPOINT_NAME.test(endpointName)) {
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value '${endpointName}' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*`,
      );
    }
    if (m[2] !== 'async-invocations') {
      const ctx = {
        router: deps.router,
        requestId,
        logGroupArn,
        metrics: deps.metrics,
        startedAt,
        capture: deps.capture,
      };
      return m[2] === 'invocations'
        ? invokeNamedEndpoint(req, res, body, endpointName, ctx)
        : invokeNamedEndpointStream(req, res, body, endpointName, ctx);
    }
    if (!deps.asyncInvocations) {
      throw new AwsError('ValidationError', 'Asynchronous inference is not enabled on this server.');
    }
    return invokeEndpointAsync(req, res, endpointName, deps.asyncInvocations, requestId);
  }
}
