import { AwsError } from '../../errors/aws-error.js';
import { parseRange } from './get-object.js';
import { parseCopySource } from './object-handlers.js';
import { readVerifiedBody, verifiedBody } from './request-body.js';
import {
  header,
  intParam,
  putOptionsOf,
  requireBucket,
  requireKey,
  type S3Call,
  sendEmpty,
  sendXml,
} from './s3-call.js';
import { elements, malformedXml, parseXmlBody, text } from './xml.js';

/** CreateMultipartUpload, UploadPart(Copy), ListParts, CompleteMultipartUpload, AbortMultipartUpload. */

function uploadIdOf(call: S3Call): string {
  const id = call.query.get('uploadId');
  if (!id) throw new AwsError('InvalidArgument', 'uploadId must be given.', { ArgumentName: 'uploadId' });
  return id;
}

export async function createMultipartUpload(call: S3Call): Promise<void> {
  const bucket = requireBucket(call);
  const key = requireKey(call);
  const uploadId = await call.ctx.store.createMultipartUpload(bucket, key, putOptionsOf(call));
  sendXml(call, 'InitiateMultipartUploadResult', [
    ['Bucket', bucket],
    ['Key', key],
    ['UploadId', uploadId],
  ]);
}

export async function uploadPart(call: S3Call): Promise<void> {
  const bucket = requireBucket(call);
  const key = requireKey(call);
  const uploadId = uploadIdOf(call);
  const partNumber = intParam(call, 'partNumber', 0);
  const copySource = header(call, 'x-amz-copy-source');
  if (copySource === undefined) {
    const body = verifiedBody(call.req, call.ctx.auth, call.ctx.maxObjectBytes);
    const part = await call.ctx.store.uploadPart(bucket, key, uploadId, partNumber, body);
    sendEmpty(call, 200, { etag: part.etag });
    return;
  }
  const source = parseCopySource(copySource);
  const rangeHeader = header(call, 'x-amz-copy-source-range');
  const head = await call.ctx.store.headObject(source.bucket, source.key);
  const range = rangeHeader ? parseRange(rangeHeader, head.size) : undefined;
  const { body } = await call.ctx.store.getObject(source.bucket, source.key, range);
  const part = await call.ctx.store.uploadPart(bucket, key, uploadId, partNumber, body);
  sendXml(call, 'CopyPartResult', [
    ['LastModified', new Date()],
    ['ETag', part.etag],
  ]);
}

export async function listParts(call: S3Call): Promise<void> {
  const bucket = requireBucket(call);
  const key = requireKey(call);
  const uploadId = uploadIdOf(call);
  const marker = intParam(call, 'part-number-marker', 0);
  const maxParts = intParam(call, 'max-parts', 1000, 1000);
  const all = (await call.ctx.store.listParts(bucket, key, uploadId)).filter((p) => p.partNumber > marker);
  const page = all.slice(0, maxParts);
  const truncated = all.length > page.length;
  const now = new Date();
  sendXml(call, 'ListPartsResult', [
    ['Bucket', bucket],
    ['Key', key],
    ['UploadId', uploadId],
    ['PartNumberMarker', marker],
    ...(truncated ? [['NextPartNumberMarker', page[page.length - 1]?.partNumber ?? 0] as const] : []),
    ['MaxParts', maxParts],
    ['IsTruncated', truncated],
    ['StorageClass', 'STANDARD'],
    ...page.map(
      (p) =>
        [
          'Part',
          [
            ['PartNumber', p.partNumber],
            ['LastModified', now],
            ['ETag', p.etag],
            ['Size', p.size],
          ],
        ] as const,
    ),
  ]);
}

export async function completeMultipartUpload(call: S3Call): Promise<void> {
  const bucket = requireBucket(call);
  const key = requireKey(call);
  const uploadId = uploadIdOf(call);
  const xml = parseXmlBody(
    await readVerifiedBody(call.req, call.ctx.auth, 4 * 1024 * 1024),
    'CompleteMultipartUpload',
  );
  const parts = elements(xml, 'Part').map((p) => {
    const partNumber = Number(text(p, 'PartNumber'));
    const etag = text(p, 'ETag');
    if (!Number.isInteger(partNumber) || etag === undefined) throw malformedXml();
    return { partNumber, etag };
  });
  const info = await call.ctx.store.completeMultipartUpload(bucket, key, uploadId, parts);
  sendXml(call, 'CompleteMultipartUploadResult', [
    ['Location', `/${bucket}/${key}`],
    ['Bucket', bucket],
    ['Key', key],
    ['ETag', info.etag],
  ]);
}

export async function abortMultipartUpload(call: S3Call): Promise<void> {
  await call.ctx.store.abortMultipartUpload(requireBucket(call), requireKey(call), uploadIdOf(call));
  sendEmpty(call, 204);
}
