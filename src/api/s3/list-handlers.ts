import { AwsError } from '../../errors/aws-error.js';
import type { ListResult } from '../../ports/object-store.js';
import { uriEncode } from '../../security/sigv4.js';
import { intParam, ownerNode, requireBucket, type S3Call, sendXml } from './s3-call.js';
import type { XmlNode } from './xml.js';

/** ListObjectsV2 and the older ListObjects (V1, `marker`), which old clients still use. */

const TOKEN_PREFIX = 'lathe1:';

/** Continuation tokens are opaque to clients; ours carry the last key returned. */
export function encodeContinuationToken(lastKey: string): string {
  return Buffer.from(TOKEN_PREFIX + lastKey, 'utf8').toString('base64url');
}

export function decodeContinuationToken(token: string): string {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (!decoded.startsWith(TOKEN_PREFIX)) {
    throw new AwsError('InvalidArgument', 'The continuation token provided is incorrect', {
      ArgumentName: 'continuation-token',
    });
  }
  return decoded.slice(TOKEN_PREFIX.length);
}

/** `encoding-type=url`: S3 percent-encodes keys (space as `+`, slashes kept). */
function encoder(call: S3Call): (value: string) => string {
  const type = call.query.get('encoding-type');
  if (type === null || type === '') return (v) => v;
  if (type !== 'url') {
    throw new AwsError('InvalidArgument', 'Invalid Encoding Method specified in Request', {
      ArgumentName: 'encoding-type',
    });
  }
  return (v) => uriEncode(v, true).replace(/%20/g, '+');
}

interface ListParams {
  readonly bucket: string;
  readonly prefix: string;
  readonly delimiter: string;
  readonly maxKeys: number;
}

async function list(call: S3Call, startAfter: string): Promise<[ListParams, ListResult]> {
  const bucket = requireBucket(call);
  const params: ListParams = {
    bucket,
    prefix: call.query.get('prefix') ?? '',
    delimiter: call.query.get('delimiter') ?? '',
    maxKeys: intParam(call, 'max-keys', 1000, 1000),
  };
  const result = await call.ctx.store.listObjects(bucket, {
    prefix: params.prefix,
    ...(params.delimiter && { delimiter: params.delimiter }),
    ...(startAfter && { startAfter }),
    maxKeys: params.maxKeys,
  });
  return [params, result];
}

function entries(
  call: S3Call,
  result: ListResult,
  withOwner: boolean,
  enc: (v: string) => string,
): XmlNode[] {
  const contents: XmlNode[] = result.objects.map((o) => [
    'Contents',
    [
      ['Key', enc(o.key)],
      ['LastModified', o.lastModified],
      ['ETag', o.etag],
      ['Size', o.size],
      ...(withOwner ? [ownerNode(call)] : []),
      ['StorageClass', 'STANDARD'],
    ],
  ]);
  const prefixes: XmlNode[] = result.commonPrefixes.map((p) => ['CommonPrefixes', [['Prefix', enc(p)]]]);
  return [...contents, ...prefixes];
}

export async function listObjectsV2(call: S3Call): Promise<void> {
  const token = call.query.get('continuation-token');
  const startAfter = call.query.get('start-after') ?? '';
  const enc = encoder(call);
  const [p, result] = await list(call, token ? decodeContinuationToken(token) : startAfter);
  const fetchOwner = call.query.get('fetch-owner') === 'true';
  sendXml(call, 'ListBucketResult', [
    ['Name', p.bucket],
    ['Prefix', enc(p.prefix)],
    ...(p.delimiter ? [['Delimiter', enc(p.delimiter)] as const] : []),
    ['MaxKeys', p.maxKeys],
    ...(call.query.has('encoding-type') ? [['EncodingType', 'url'] as const] : []),
    ['KeyCount', result.objects.length + result.commonPrefixes.length],
    ['IsTruncated', result.isTruncated],
    ...(token ? [['ContinuationToken', token] as const] : []),
    ...(result.isTruncated && result.lastKey !== undefined
      ? [['NextContinuationToken', encodeContinuationToken(result.lastKey)] as const]
      : []),
    ...(startAfter ? [['StartAfter', enc(startAfter)] as const] : []),
    ...entries(call, result, fetchOwner, enc),
  ]);
}

export async function listObjectsV1(call: S3Call): Promise<void> {
  const marker = call.query.get('marker') ?? '';
  const enc = encoder(call);
  const [p, result] = await list(call, marker);
  sendXml(call, 'ListBucketResult', [
    ['Name', p.bucket],
    ['Prefix', enc(p.prefix)],
    ['Marker', enc(marker)],
    ...(result.isTruncated && result.lastKey !== undefined
      ? [['NextMarker', enc(result.lastKey)] as const]
      : []),
    ['MaxKeys', p.maxKeys],
    ...(p.delimiter ? [['Delimiter', enc(p.delimiter)] as const] : []),
    ...(call.query.has('encoding-type') ? [['EncodingType', 'url'] as const] : []),
    ['IsTruncated', result.isTruncated],
    ...entries(call, result, true, enc),
  ]);
}
