import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AwsError } from '../../errors/aws-error.js';
import { type Checksum, type ChecksumAlgorithm, createChecksum } from './checksums.js';

/**
 * Counts and hashes a (decoded) request body on its way to the store and fails the stream
 * at its end when anything disagrees with what the client declared: the signed SHA-256,
 * Content-MD5, an `x-amz-checksum-*` value, the declared length. Failing the stream is what
 * keeps the object from being stored.
 */
export interface BodyExpectations {
  readonly maxBytes: number;
  /** Exact decoded length (Content-Length, or x-amz-decoded-content-length for aws-chunked). */
  readonly length?: number;
  /** Hex SHA-256 that was signed as x-amz-content-sha256. */
  readonly sha256Hex?: string;
  /** Content-MD5, base64. */
  readonly md5Base64?: string;
  /** A checksum whose expected value is known now (header) or only at the end (trailer). */
  readonly checksum?: { readonly algorithm: ChecksumAlgorithm; readonly expected: () => string | undefined };
}

export class BodyVerifier extends Transform {
  private size = 0;
  private readonly sha256: Hash | undefined;
  private readonly md5: Hash | undefined;
  private readonly checksum: Checksum | undefined;

  constructor(private readonly expect: BodyExpectations) {
    super();
    this.sha256 = expect.sha256Hex ? createHash('sha256') : undefined;
    this.md5 = expect.md5Base64 ? createHash('md5') : undefined;
    this.checksum = expect.checksum ? createChecksum(expect.checksum.algorithm) : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.expect.maxBytes) {
      callback(
        new AwsError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed object size.', {
          MaxSizeAllowed: this.expect.maxBytes,
        }),
      );
      return;
    }
    this.sha256?.update(chunk);
    this.md5?.update(chunk);
    this.checksum?.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.mismatch() ?? null);
  }

  private mismatch(): AwsError | undefined {
    const { length, sha256Hex, md5Base64, checksum } = this.expect;
    if (length !== undefined && this.size !== length) {
      return new AwsError(
        'InvalidRequest',
        `You did not provide the number of bytes specified by the Content-Length HTTP header: got ${this.size} of ${length}.`,
      );
    }
    if (sha256Hex && this.sha256) {
      const actual = this.sha256.digest('hex');
      if (actual !== sha256Hex.toLowerCase()) {
        return new AwsError(
          'XAmzContentSHA256Mismatch',
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
          { ClientComputedContentSHA256: sha256Hex, S3ComputedContentSHA256: actual },
        );
      }
    }
    if (md5Base64 && this.md5 && this.md5.digest('base64') !== md5Base64) {
      return new AwsError('BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
    if (checksum && this.checksum) {
      const expected = checksum.expected();
      const name = `x-amz-checksum-${checksum.algorithm}`;
      if (expected === undefined) {
        return new AwsError('InvalidRequest', `The ${name} trailer announced in x-amz-trailer was not sent.`);
      }
      if (this.checksum.digest() !== expected) {
        return new AwsError(
          'BadDigest',
          `The ${checksum.algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
        );
      }
    }
    return undefined;
  }
}
