import { AwsError, isAwsError } from '../../errors/aws-error.js';
import type { PutOptions } from '../../ports/object-store.js';
import { readVerifiedBody, verifiedBody } from './request-body.js';
import {
  header,
  putOptionsOf,
  requireBucket,
  requireKey,
  type S3Call,
  sendEmpty,
  sendXml,
} from './s3-call.js';
import { elements, malformedXml, parseXmlBody, text, type XmlNode } from './xml.js';

/** PutObject, DeleteObject, DeleteObjects and CopyObject. */

export async function putObject(call: S3Call): Promise<void> {
  const bucket = requireBucket(call);
  const key = requireKey(call);
  // Refuse before the body streams in when the bucket is missing: the common mistake.
  await call.ctx.store.headBucket(bucket);
  const body = verifiedBody(call.req, call.ctx.auth, call.ctx.maxObjectBytes);
  const info = await call.ctx.store.putObject(bucket, key, body, putOptionsOf(call));
  sendEmpty(call, 200, { etag: info.etag });
}

export async function deleteObject(call: S3Call): Promise<void> {
  await call.ctx.store.deleteObject(requireBucket(call), requireKey(call));
  sendEmpty(call, 204);
}

export async function deleteObjects(call: S3Call): Promise<void> {
  const bucket = requireBucket(call);
  const xml = parseXmlBody(await readVerifiedBody(call.req, call.ctx.auth, 2 * 1024 * 1024), 'Delete');
  const quiet = text(xml, 'Quiet')?.trim().toLowerCase() === 'true';
  const keys = elements(xml, 'Object').map((o) => text(o, 'Key'));
  if (keys.length === 0 || keys.length > 1000 || keys.some((k) => k === undefined)) throw malformedXml();
  await call.ctx.store.headBucket(bucket);
  const results: XmlNode[] = [];
  for (const key of keys as string[]) {
    try {
      await call.ctx.store.deleteObject(bucket, key);
      if (!quiet) results.push(['Deleted', [['Key', key]]]);
    } catch (error) {
      if (!isAwsError(error)) throw error;
      results.push([
        'Error',
        [
          ['Key', key],
          ['Code', error.code],
          ['Message', error.message],
        ],
      ]);
    }
  }
  sendXml(call, 'DeleteResult', results);
}

/** Parses `x-amz-copy-source`: `[/]bucket/key[?versionId=…]`, URL-encoded. */
export function parseCopySource(value: string): { bucket: string; key: string } {
  const withoutVersion = value.split('?')[0] ?? '';
  const path = withoutVersion.replace(/^\//, '');
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) {
    throw new AwsError(
      'InvalidArgument',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      {
        ArgumentName: 'x-amz-copy-source',
      },
    );
  }
  try {
    return {
      bucket: decodeURIComponent(path.slice(0, slash)),
      key: decodeURIComponent(path.slice(slash + 1)),
    };
  } catch {
    throw new AwsError('InvalidArgument', 'x-amz-copy-source is not valid percent-encoding.', {
      ArgumentName: 'x-amz-copy-source',
    });
  }
}

export async function copyObject(call: S3Call): Promise<void> {
  const target = { bucket: requireBucket(call), key: requireKey(call) };
  const source = parseCopySource(header(call, 'x-amz-copy-source') ?? '');
  const directive = (header(call, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new AwsError('InvalidArgument', 'Unknown metadata directive.', {
      ArgumentName: 'x-amz-metadata-directive',
    });
  }
  if (directive === 'COPY' && source.bucket === target.bucket && source.key === target.key) {
    throw new AwsError(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const options: PutOptions | undefined = directive === 'REPLACE' ? putOptionsOf(call) : undefined;
  const info = await call.ctx.store.copyObject(source, target, options);
  sendXml(call, 'CopyObjectResult', [
    ['LastModified', info.lastModified],
    ['ETag', info.etag],
  ]);
}
