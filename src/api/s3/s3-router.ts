import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, isAwsError } from '../../errors/aws-error.js';
import * as buckets from './bucket-handlers.js';
import { getObject, headObject } from './get-object.js';
import { listObjectsV1, listObjectsV2 } from './list-handlers.js';
import * as multipart from './multipart-handlers.js';
import { copyObject, deleteObject, deleteObjects, putObject } from './object-handlers.js';
import { parseS3Call, type S3Call, type S3Context } from './s3-call.js';
import { writeS3Error } from './s3-error.js';

/**
 * The S3 REST API (path-style) over node:http. The caller has verified the SigV4 signature
 * (without reading the body); everything about the body — aws-chunked frames, the signed
 * hash, checksums — is verified here while it streams into the store.
 */

type Handler = (call: S3Call) => Promise<void>;

/** Query parameters that select an operation; any other sub-resource is NotImplemented. */
const SUB_RESOURCES = new Set(['location', 'delete', 'uploads', 'uploadId', 'partNumber', 'list-type']);
const PARAMETERS = new Set([
  'prefix',
  'delimiter',
  'marker',
  'max-keys',
  'continuation-token',
  'start-after',
  'encoding-type',
  'fetch-owner',
  'max-parts',
  'part-number-marker',
  'key-marker',
  'upload-id-marker',
  'max-uploads',
  'x-id',
  'versionId',
]);

function route(call: S3Call): Handler {
  const q = call.query;
  for (const name of q.keys()) {
    const known =
      SUB_RESOURCES.has(name) ||
      PARAMETERS.has(name) ||
      name.startsWith('response-') ||
      /^x-amz-/i.test(name) ||
      // Signature Version 2 presigned URLs (boto3's default for generate_presigned_url).
      name === 'AWSAccessKeyId' ||
      name === 'Signature' ||
      name === 'Expires';
    if (!known) throw notImplemented(call, `the "${name}" sub-resource`);
  }
  const { method } = call;
  if (call.bucket === undefined) {
    if (method === 'GET') return buckets.listBuckets;
    throw notImplemented(call, `${method} /`);
  }
  if (call.key === undefined) {
    if (method === 'GET' && q.has('location')) return buckets.getBucketLocation;
    if (method === 'GET' && q.has('uploads')) return buckets.listMultipartUploads;
    if (method === 'GET') return q.get('list-type') === '2' ? listObjectsV2 : listObjectsV1;
    if (method === 'PUT') return buckets.createBucket;
    if (method === 'HEAD') return buckets.headBucket;
    if (method === 'DELETE') return buckets.deleteBucket;
    if (method === 'POST' && q.has('delete')) return deleteObjects;
    throw notImplemented(call, `${method} on a bucket`);
  }
  if (method === 'PUT' && q.has('uploadId')) return multipart.uploadPart;
  if (method === 'PUT') return call.req.headers['x-amz-copy-source'] ? copyObject : putObject;
  if (method === 'GET' && q.has('uploadId')) return multipart.listParts;
  if (method === 'GET') return getObject;
  if (method === 'HEAD') return headObject;
  if (method === 'DELETE' && q.has('uploadId')) return multipart.abortMultipartUpload;
  if (method === 'DELETE') return deleteObject;
  if (method === 'POST' && q.has('uploads')) return multipart.createMultipartUpload;
  if (method === 'POST' && q.has('uploadId')) return multipart.completeMultipartUpload;
  throw notImplemented(call, `${method} on an object`);
}

function notImplemented(call: S3Call, what: string): AwsError {
  return new AwsError(
    'NotImplemented',
    `Lathe's S3 API does not implement ${what} (${call.method} ${call.resource}).`,
  );
}

function clientGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ECONNABORTED'
  );
}

/** Answers one S3 request; never throws (errors become S3 XML errors). */
export async function handleS3Request(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: S3Context,
): Promise<void> {
  let resource = req.url ?? '/';
  try {
    const call = parseS3Call(req, res, ctx);
    resource = call.resource;
    await route(call)(call);
  } catch (caught) {
    if (!isAwsError(caught) && (clientGone(caught) || req.destroyed || res.destroyed)) {
      res.destroy();
      return;
    }
    const error = isAwsError(caught)
      ? caught
      : new AwsError('InternalError', 'We encountered an internal error. Please try again.');
    if (!isAwsError(caught)) console.error(`[s3] ${ctx.requestId} ${req.method} ${resource}:`, caught);
    // An unread body cannot be skipped on a kept-alive connection: answer, then close it.
    if (!req.complete && !res.headersSent) res.setHeader('connection', 'close');
    writeS3Error(res, error, ctx.requestId, resource);
  }
}

export type { S3Context } from './s3-call.js';
export { writeS3Error } from './s3-error.js';
