import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { AwsError } from '../../errors/aws-error.js';

/**
 * The `x-amz-checksum-*` algorithms S3 clients send (as a header or an aws-chunked trailer),
 * each as an incremental digest giving S3's base64 form. CRC64NVME is refused: no cheap
 * implementation here, and no current client sends it by default.
 */

export type ChecksumAlgorithm = 'crc32' | 'crc32c' | 'sha1' | 'sha256';

export interface Checksum {
  update(data: Buffer): void;
  /** Base64 of the big-endian digest, as S3 writes it. */
  digest(): string;
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), the table-driven reflected form. */
export function crc32c(data: Buffer, previous = 0): number {
  let c = ~previous >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC32C_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

function crcChecksum(step: (data: Buffer, previous: number) => number): Checksum {
  let value = 0;
  return {
    update: (data) => {
      value = step(data, value);
    },
    digest: () => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(value >>> 0);
      return out.toString('base64');
    },
  };
}

function hashChecksum(hash: Hash): Checksum {
  return { update: (data) => hash.update(data), digest: () => hash.digest('base64') };
}

/** Header name → algorithm, for the headers and trailers Lathe verifies. */
export function checksumAlgorithmOf(headerName: string): ChecksumAlgorithm | undefined {
  const m = /^x-amz-checksum-([a-z0-9]+)$/.exec(headerName.toLowerCase());
  if (!m) return undefined;
  const name = m[1]!;
  if (name === 'crc32' || name === 'crc32c' || name === 'sha1' || name === 'sha256') return name;
  throw new AwsError(
    'InvalidRequest',
    `Checksum algorithm "${name.toUpperCase()}" is not supported by Lathe; use CRC32, CRC32C, SHA1 or SHA256.`,
  );
}

export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  switch (algorithm) {
    case 'crc32':
      return crcChecksum((data, previous) => crc32(data, previous));
    case 'crc32c':
      return crcChecksum(crc32c);
    case 'sha1':
      return hashChecksum(createHash('sha1'));
    case 'sha256':
      return hashChecksum(createHash('sha256'));
  }
}
