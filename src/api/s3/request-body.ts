import type { IncomingMessage } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { AwsError } from '../../errors/aws-error.js';
import type { VerifiedRequest } from '../../security/sigv4.js';
import { AwsChunkedDecoder } from './aws-chunked.js';
import { type BodyExpectations, BodyVerifier } from './body-verifier.js';
import { type ChecksumAlgorithm, checksumAlgorithmOf } from './checksums.js';

/**
 * Turns a request into the verified byte stream of its payload: aws-chunked frames decoded
 * (and their signatures checked), then the length, the signed SHA-256, Content-MD5 and any
 * `x-amz-checksum-*` verified. The stream errors (with an AwsError) instead of ending when
 * anything does not match, so whoever consumes it stores nothing.
 */

const SIGNED_STREAMING = new Set([
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
]);
const UNSIGNED_STREAMING = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function declaredLength(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new AwsError('InvalidArgument', `${name} must be a non-negative integer.`);
  return Number(value);
}

/** The checksum the client sent as a header, or announced as a trailer in x-amz-trailer. */
function checksumOf(
  req: IncomingMessage,
  trailers: () => ReadonlyMap<string, string> | undefined,
): BodyExpectations['checksum'] {
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === 'x-amz-checksum-algorithm' || name === 'x-amz-checksum-type') continue;
    const algorithm = checksumAlgorithmOf(name);
    if (algorithm && typeof value === 'string') return { algorithm, expected: () => value };
  }
  const announced = header(req, 'x-amz-trailer')?.trim().toLowerCase();
  if (!announced) return undefined;
  const algorithm: ChecksumAlgorithm | undefined = checksumAlgorithmOf(announced);
  if (!algorithm) throw new AwsError('InvalidRequest', `Unsupported trailer "${announced}".`);
  return { algorithm, expected: () => trailers()?.get(announced) };
}

/** The verified payload of `req`. Consume it (or destroy it) exactly once. */
export function verifiedBody(req: IncomingMessage, auth: VerifiedRequest, maxBytes: number): Readable {
  const payloadHash = auth.payloadHash;
  const streaming = payloadHash.startsWith('STREAMING-');
  if (streaming && !SIGNED_STREAMING.has(payloadHash) && payloadHash !== UNSIGNED_STREAMING) {
    throw new AwsError('InvalidRequest', `x-amz-content-sha256 "${payloadHash}" is not supported by Lathe.`);
  }
  if (!streaming && payloadHash !== 'UNSIGNED-PAYLOAD' && !/^[0-9a-fA-F]{64}$/.test(payloadHash)) {
    throw new AwsError(
      'InvalidArgument',
      'x-amz-content-sha256 must be a hex SHA-256, UNSIGNED-PAYLOAD or STREAMING-….',
    );
  }
  const length = streaming
    ? declaredLength(header(req, 'x-amz-decoded-content-length'), 'x-amz-decoded-content-length')
    : declaredLength(header(req, 'content-length'), 'Content-Length');
  if (length !== undefined && length > maxBytes) {
    throw new AwsError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed object size.', {
      ProposedSize: length,
      MaxSizeAllowed: maxBytes,
    });
  }
  const decoder = streaming
    ? new AwsChunkedDecoder(
        SIGNED_STREAMING.has(payloadHash)
          ? {
              signing: {
                signingKey: auth.signingKey,
                amzDate: auth.amzDate,
                credentialScope: auth.credentialScope,
                seedSignature: auth.signature,
              },
            }
          : {},
      )
    : undefined;
  const md5 = header(req, 'content-md5');
  if (md5 !== undefined && !/^[A-Za-z0-9+/]{22}==$/.test(md5)) {
    throw new AwsError('InvalidArgument', 'The Content-MD5 you specified is not valid.', {
      ArgumentName: 'Content-MD5',
    });
  }
  const checksum = checksumOf(req, () => decoder?.trailers);
  const verifier = new BodyVerifier({
    maxBytes,
    ...(length !== undefined && { length }),
    ...(!streaming && payloadHash !== 'UNSIGNED-PAYLOAD' && { sha256Hex: payloadHash }),
    ...(md5 !== undefined && { md5Base64: md5 }),
    ...(checksum && { checksum }),
  });
  // pipeline destroys every stage when any fails, and the request when the client aborts.
  const noop = () => undefined;
  return decoder ? pipeline(req, decoder, verifier, noop) : pipeline(req, verifier, noop);
}

/** Reads a small verified body (XML requests) into memory. */
export async function readVerifiedBody(
  req: IncomingMessage,
  auth: VerifiedRequest,
  limit: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of verifiedBody(req, auth, limit)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
