import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AwsError } from '../errors/aws-error.js';
import type { SecretLookup, VerifiedRequest } from './sigv4.js';

/**
 * S3 presigned URLs signed with Signature Version 2 (`?AWSAccessKeyId=…&Expires=…&Signature=…`),
 * which boto3 still produces by default for `generate_presigned_url` in us-east-1.
 */

/** Sub-resources and response overrides that are part of the signed resource, per S3's SigV2 rules. */
const signedSubresources = new Set([
  'acl',
  'cors',
  'delete',
  'lifecycle',
  'location',
  'logging',
  'notification',
  'partNumber',
  'policy',
  'requestPayment',
  'restore',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versionId',
  'versioning',
  'versions',
  'website',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-content-type',
  'response-expires',
]);

export function isSigV2Query(url: URL): boolean {
  return url.searchParams.has('AWSAccessKeyId') && url.searchParams.has('Signature');
}

export function verifySigV2Query(
  req: IncomingMessage,
  lookupSecret: SecretLookup,
  region: string,
  now = Date.now(),
): VerifiedRequest {
  const rawUrl = req.url ?? '/';
  const url = new URL(rawUrl, 'http://localhost');
  const accessKeyId = url.searchParams.get('AWSAccessKeyId') ?? '';
  const signature = url.searchParams.get('Signature') ?? '';
  const expires = url.searchParams.get('Expires') ?? '';
  const secret = lookupSecret(accessKeyId);
  if (secret === undefined) {
    throw new AwsError(
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  }
  if (!/^\d+$/.test(expires))
    throw new AwsError('AccessDenied', 'Expires must be a number of seconds since the epoch.');
  if (Number(expires) * 1000 < now) throw new AwsError('AccessDenied', 'Request has expired');

  const rawPath = rawUrl.split('?')[0] ?? '/';
  const subresources = [...url.searchParams.entries()]
    .filter(([k]) => signedSubresources.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => (v === '' ? k : `${k}=${v}`));
  const resource = subresources.length ? `${rawPath}?${subresources.join('&')}` : rawPath;
  const amzHeaders = Object.keys(req.headers)
    .filter((h) => h.startsWith('x-amz-'))
    .sort()
    .map((h) => `${h}:${(req.headersDistinct[h] ?? []).map((v) => v.trim()).join(',')}\n`)
    .join('');
  const header = (name: string) => {
    const v = req.headers[name];
    return typeof v === 'string' ? v : '';
  };
  const stringToSign = `${req.method}\n${header('content-md5')}\n${header('content-type')}\n${expires}\n${amzHeaders}${resource}`;
  const expected = createHmac('sha1', secret).update(stringToSign, 'utf8').digest();
  const given = Buffer.from(signature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AwsError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }
  return {
    accessKeyId,
    service: 's3',
    region,
    amzDate: '',
    credentialScope: '',
    signature: given.toString('hex'),
    signingKey: Buffer.alloc(0),
    payloadHash: 'UNSIGNED-PAYLOAD',
    presigned: true,
  };
}
