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

/** ListMultipartUploads, minimal: the store port cannot enumerate uploads yet, so none are listed. */
export async function listMultipartUploads(call: S3Call): Promise<void> {
  const bucket = requireBucket(call);
  await call.ctx.store.headBucket(bucket);
  sendXml(call, 'ListMultipartUploadsResult', [
    ['Bucket', bucket],
    ['KeyMarker', call.query.get('key-marker') ?? ''],
    ['UploadIdMarker', call.query.get('upload-id-marker') ?? ''],
    ['MaxUploads', 1000],
    ['IsTruncated', false],
  ]);
}
