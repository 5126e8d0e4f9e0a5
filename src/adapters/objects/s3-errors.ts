import { AwsError } from '../../errors/aws-error.js';
import { type ErrorCode, errorCatalog } from '../../errors/catalog.js';

/**
 * SDK errors → the port's AwsError codes. S3 names its errors as the catalog does, so most
 * pass through; HEAD answers have no body (the SDK calls them `NotFound`), so the caller
 * says what a bare 404 means.
 */
export function toAwsError(error: unknown, notFound: ErrorCode = 'NoSuchKey'): AwsError {
  if (error instanceof AwsError) return error;
  const e = error as {
    name?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    Key?: string;
  };
  const status = e?.$metadata?.httpStatusCode;
  const name = e?.name ?? '';
  const message = e?.message || name || 'S3 request failed';
  if (name in errorCatalog && name !== 'InternalFailure') return new AwsError(name as ErrorCode, message);
  if (status === 404 || name === 'NotFound') return new AwsError(notFound, message);
  if (status === 412) return new AwsError('PreconditionFailed', message);
  if (status === 416) return new AwsError('InvalidRange', message);
  if (status === 403) return new AwsError('AccessDenied', message);
  if (status === 503) return new AwsError('ServiceUnavailable', message);
  if (status !== undefined && status >= 400 && status < 500) {
    return new AwsError('InvalidRequest', `${name || `HTTP ${status}`}: ${message}`);
  }
  return new AwsError('InternalError', `Object store request failed: ${message}`);
}
