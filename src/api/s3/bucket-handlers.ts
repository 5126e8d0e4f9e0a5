import { AwsError } from '../../errors/aws-error.js';
import { readVerifiedBody } from './request-body.js';
import { ownerNode, requireBucket, type S3Call, sendEmpty, sendXml } from './s3-call.js';
import { elements, parseXmlBody, text } from './xml.js';

/** Bucket-level operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation. */

export async function listBuckets(call: S3Call): Promise<void> {
  const buckets = await call.ctx.store.listBuckets();
  sendXml(call, 'ListAllMyBucketsResult', [
    ownerNode(call),
    [
      'Buckets',
      buckets.map((b) => [
        'Bucket',
        [
          ['Name', b.name],
          ['CreationDate', b.creationDate],
        ],
      ]),
    ],
  ]);
}

export async function createBucket(call: S3Call): Promise<void> {
  const bucket = requireBucket(call);
  const body = await readVerifiedBody(call.req, call.ctx.auth, 64 * 1024);
  if (body.length > 0) {
    const xml = parseXmlBody(body, 'CreateBucketConfiguration');
    const constraint = text(xml, 'LocationConstraint');
    // One region per server: a constraint naming another is a client mistake worth reporting.
    if (
      constraint &&
      constraint !== call.ctx.auth.region &&
      elements(xml, 'LocationConstraint').length === 1
    ) {
      throw new AwsError(
        'InvalidArgument',
        `The LocationConstraint "${constraint}" does not match this server's region "${call.ctx.auth.region}".`,
        { ArgumentName: 'LocationConstraint' },
      );
    }
  }
  try {
    await call.ctx.store.createBucket(bucket);
  } catch (e) {
    // S3 in us-east-1 answers 200 when you create a bucket you already own (legacy behaviour
    // that `aws s3 mb` and boto3 code rely on); every other region answers 409.
    const owned = e instanceof AwsError && e.code === 'BucketAlreadyOwnedByYou';
    if (!owned || call.ctx.auth.region !== 'us-east-1') throw e;
  }
  sendEmpty(call, 200, { location: `/${bucket}` });
}

export async function headBucket(call: S3Call): Promise<void> {
  await call.ctx.store.headBucket(requireBucket(call));
  sendEmpty(call, 200, { 'x-amz-bucket-region': call.ctx.auth.region });
}

export async function deleteBucket(call: S3Call): Promise<void> {
  await call.ctx.store.deleteBucket(requireBucket(call));
  sendEmpty(call, 204);
}

export async function getBucketLocation(call: S3Call): Promise<void> {
  await call.ctx.store.headBucket(requireBucket(call));
  // S3 answers an empty constraint for us-east-1.
  const region = call.ctx.auth.region === 'us-east-1' ? '' : call.ctx.auth.region;
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${region}</LocationConstraint>`;
  call.res.writeHead(200, {
    'x-amz-request-id': call.ctx.requestId,
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
  });
  call.res.end(body);
}

/**
 * ListMultipartUploads: uploads in progress by key, then initiation time; `prefix`,
 * `key-marker` / `upload-id-marker` (resume after) and `max-uploads` (up to 1000, truncating
 * with NextKeyMarker / NextUploadIdMarker), as S3 answers them.
 */
export async function listMultipartUploads(call: S3Call): Promise<void> {
  const bucket = requireBucket(call);
  const prefix = call.query.get('prefix') ?? '';
  const keyMarker = call.query.get('key-marker') ?? '';
  const uploadIdMarker = call.query.get('upload-id-marker') ?? '';
  const maxText = call.query.get('max-uploads');
  const max = maxText === null ? 1000 : Number(maxText);
  if (!Number.isInteger(max) || max < 0) {
    throw new AwsError('InvalidArgument', 'max-uploads must be a whole number from 0.', {
      ArgumentName: 'max-uploads',
    });
  }
  const all = await call.ctx.store.listMultipartUploads(bucket, { prefix });
  // After the key marker; with an upload-id marker, the uploads of that key after it too.
  let start = 0;
  if (keyMarker) {
    const afterKey = all.findIndex((u) => u.key > keyMarker);
    start = afterKey < 0 ? all.length : afterKey;
    if (uploadIdMarker) {
      const at = all.findIndex((u) => u.key === keyMarker && u.uploadId === uploadIdMarker);
      if (at >= 0) start = at + 1;
    }
  }
  const page = all.slice(start, start + Math.min(max, 1000));
  const truncated = start + page.length < all.length;
  const last = page.at(-1);
  sendXml(call, 'ListMultipartUploadsResult', [
    ['Bucket', bucket],
    ['KeyMarker', keyMarker],
    ['UploadIdMarker', uploadIdMarker],
    ...(truncated && last
      ? ([
          ['NextKeyMarker', last.key],
          ['NextUploadIdMarker', last.uploadId],
        ] as const)
      : []),
    ['Prefix', prefix],
    ['MaxUploads', Math.min(max, 1000)],
    ['IsTruncated', truncated],
    ...page.map(
      (u) =>
        [
          'Upload',
          [
            ['Key', u.key],
            ['UploadId', u.uploadId],
            ['Initiator', ownerNode(call)[1]],
            ownerNode(call),
            ['StorageClass', 'STANDARD'],
            ['Initiated', u.initiated],
          ],
        ] as const,
    ),
  ]);
}
