import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, isAwsError } from '../errors/aws-error.js';
import type { Logger } from '../ports/logger.js';
import type { ObjectStore } from '../ports/object-store.js';
import { isSigV2Query, verifySigV2Query } from '../security/sigv2-query.js';
import { peekSigningService, type SecretLookup, sha256Hex, verifySigV4 } from '../security/sigv4.js';
import { readBody, sendJson, sendJsonError } from './http-io.js';
import { dispatchJsonRpc } from './json-protocol.js';
import type { OperationTable } from './operation.js';
import { isRuntimePath, MAX_INVOCATION_BYTES, type RuntimeApi } from './runtime/runtime-api.js';
import { handleS3Request, writeS3Error } from './s3/s3-router.js';
import { handleSts, sendStsError } from './sts.js';

export interface AppDeps {
  readonly logger: Logger;
  readonly lookupSecret: SecretLookup;
  readonly accountId: string;
  readonly region: string;
  readonly maxJsonBodyBytes: number;
  readonly maxObjectBytes: number;
  readonly maxClockSkewSeconds: number;
  readonly objects: ObjectStore;
  /** SageMaker control plane operations (`X-Amz-Target: SageMaker.<Op>`). */
  readonly sagemaker: OperationTable;
  /** SageMaker Runtime: InvokeEndpoint routed to the serving fleet. */
  readonly runtime: RuntimeApi;
  /** Prometheus text at GET /metrics (unauthenticated, like /health). */
  readonly metrics?: (res: ServerResponse) => Promise<void>;
  /** Application Auto Scaling (`X-Amz-Target: AnyScaleFrontendService.<Op>`). */
  readonly autoscaling: OperationTable;
  /** CloudWatch Logs operations (`X-Amz-Target: Logs_20140328.<Op>`). */
  readonly logs: OperationTable;
  readonly isReady: () => boolean;
  /** Log every request at debug level (LATHE_LOG_LEVEL=debug). */
  readonly logRequests?: boolean;
}

/**
 * The one HTTP entry point. Services are told apart the way AWS clients sign them (the
 * SigV4 scope's service); every request but `GET /health` must carry a valid signature.
 */
export function createApp(deps: AppDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { logger } = deps;

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    if (req.method === 'GET' && path === '/health' && !req.headers.authorization) {
      const ready = deps.isReady();
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'starting' }, 'application/json');
      return;
    }
    if (req.method === 'GET' && path === '/metrics' && !req.headers.authorization && deps.metrics) {
      return deps.metrics(res);
    }
    if (!deps.isReady()) throw new AwsError('ServiceUnavailable', 'Lathe is starting or shutting down.');

    const service = peekSigningService(req);
    if (
      service === 's3' ||
      (service === undefined && !req.headers['x-amz-target'] && req.method !== 'POST')
    ) {
      let auth: ReturnType<typeof verifySigV4>;
      try {
        auth = isSigV2Query(new URL(req.url ?? '/', 'http://localhost'))
          ? verifySigV2Query(req, deps.lookupSecret, deps.region)
          : verifySigV4(req, {
              dialect: 's3',
              lookupSecret: deps.lookupSecret,
              maxSkewSeconds: deps.maxClockSkewSeconds,
            });
      } catch (e) {
        req.resume();
        throw e;
      }
      await handleS3Request(req, res, {
        auth,
        requestId,
        store: deps.objects,
        maxObjectBytes: deps.maxObjectBytes,
      });
      return;
    }

    const runtimeCall = service === 'sagemaker' && isRuntimePath(path);
    const body = await readBody(req, runtimeCall ? MAX_INVOCATION_BYTES : deps.maxJsonBodyBytes);
    const auth = verifySigV4(req, {
      dialect: service === 'sts' ? 'sts' : 'json',
      lookupSecret: deps.lookupSecret,
      maxSkewSeconds: deps.maxClockSkewSeconds,
      bodySha256: sha256Hex(body),
    });
    const ctx = { requestId, accessKeyId: auth.accessKeyId, region: auth.region };
    if (runtimeCall) {
      // Awaited rather than returned: fewer microtask turns on the hottest path.
      await deps.runtime(req, res, body, requestId);
      return;
    }
    switch (auth.service) {
      case 'sagemaker':
        return dispatchJsonRpc(req, res, body, 'SageMaker', deps.sagemaker, ctx);
      case 'application-autoscaling':
        return dispatchJsonRpc(req, res, body, 'AnyScaleFrontendService', deps.autoscaling, ctx);
      case 'logs':
        return dispatchJsonRpc(req, res, body, 'Logs_20140328', deps.logs, ctx);
      case 'sts':
        return handleSts(
          req,
          res,
          body,
          { accountId: deps.accountId, accessKeyId: auth.accessKeyId },
          requestId,
        );
      default:
        throw new AwsError(
          'UnknownOperationException',
          `Lathe does not serve the '${auth.service}' service.`,
        );
    }
  }

  function fail(req: IncomingMessage, res: ServerResponse, requestId: string, e: unknown): void {
    const error = isAwsError(e) ? e : new AwsError('InternalFailure', 'An internal error occurred.');
    if (!isAwsError(e))
      logger.error('unhandled error', { requestId, error: (e as Error)?.stack ?? String(e) });
    const service = peekSigningService(req);
    if (
      service === 's3' ||
      (service === undefined && !req.headers['x-amz-target'] && req.method !== 'POST')
    ) {
      const s3Error = error.code === 'InternalFailure' ? new AwsError('InternalError', error.message) : error;
      writeS3Error(res, s3Error, requestId, req.url ?? '/');
    } else if (service === 'sts') {
      sendStsError(res, error, requestId);
    } else {
      sendJsonError(res, error, requestId);
    }
    // A request rejected before its body was read: drain it so the connection stays usable.
    if (!req.readableEnded) req.resume();
  }

  // The access log costs a closure and an object per request: only built when it is read.
  const logRequests = deps.logRequests ?? false;

  return (req, res) => {
    const requestId = randomUUID();
    const started = logRequests ? performance.now() : 0;
    const done = handle(req, res, requestId).catch((e: unknown) => fail(req, res, requestId, e));
    if (logRequests) {
      void done.then(() =>
        logger.debug('request', {
          requestId,
          method: req.method,
          path: (req.url ?? '').split('?')[0],
          target: req.headers['x-amz-target'],
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
        }),
      );
    }
  };
}
