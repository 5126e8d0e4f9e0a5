import { createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deriveSigningKey, sha256Hex } from '../../security/sigv4.js';
import { AwsChunkedDecoder, encodeAwsChunked } from './aws-chunked.js';
import { BodyVerifier } from './body-verifier.js';
import { crc32c } from './checksums.js';

// The worked example of AWS's "Transferring Payload in Multiple Chunks" page.
const signing = {
  signingKey: deriveSigningKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '20130524', 'us-east-1', 's3'),
  amzDate: '20130524T000000Z',
  credentialScope: '20130524/us-east-1/s3/aws4_request',
  seedSignature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
};
const exampleSignatures = [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
];

function signedBody(chunks: Buffer[], signatures: string[], trailer = ''): Buffer {
  const parts: Buffer[] = [];
  [...chunks, Buffer.alloc(0)].forEach((chunk, i) => {
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${signatures[i]}\r\n`), chunk);
    if (chunk.length > 0) parts.push(Buffer.from('\r\n'));
  });
  parts.push(Buffer.from(`${trailer}\r\n`));
  return Buffer.concat(parts);
}

/** Feeds `body` in pieces of `step` bytes (frame boundaries land anywhere) and collects the output. */
async function decode(
  body: Buffer,
  decoder: AwsChunkedDecoder,
  step = 7777,
  after?: BodyVerifier,
): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < body.length; i += step) pieces.push(body.subarray(i, i + step));
  const out: Buffer[] = [];
  const sink = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) out.push(chunk);
  };
  if (after) await pipeline(Readable.from(pieces), decoder, after, sink);
  else await pipeline(Readable.from(pieces), decoder, sink);
  return Buffer.concat(out);
}

const crc32Base64 = (data: Buffer) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(data));
  return b.toString('base64');
};

describe('AwsChunkedDecoder', () => {
  const data = [Buffer.alloc(65536, 'a'), Buffer.alloc(1024, 'a')];

  it("verifies AWS's signed example chunk by chunk", async () => {
    for (const step of [1000, 65536 + 100, 1 << 20]) {
      const out = await decode(signedBody(data, exampleSignatures), new AwsChunkedDecoder({ signing }), step);
      expect(out.equals(Buffer.concat(data))).toBe(true);
    }
  });

  it('rejects a corrupted chunk of a signed body', async () => {
    const body = signedBody(data, exampleSignatures);
    body[100] = 'b'.charCodeAt(0);
    await expect(decode(body, new AwsChunkedDecoder({ signing }))).rejects.toMatchObject({
      code: 'SignatureDoesNotMatch',
    });
  });

  it('rejects a forged final chunk signature', async () => {
    const forged = [...exampleSignatures.slice(0, 2), 'f'.repeat(64)];
    await expect(decode(signedBody(data, forged), new AwsChunkedDecoder({ signing }))).rejects.toMatchObject({
      code: 'SignatureDoesNotMatch',
    });
  });

  it('verifies a signed trailer', async () => {
    const trailerLine = `x-amz-checksum-crc32:${crc32Base64(Buffer.concat(data))}`;
    const stringToSign = [
      'AWS4-HMAC-SHA256-TRAILER',
      signing.amzDate,
      signing.credentialScope,
      exampleSignatures[2],
      sha256Hex(`${trailerLine}\n`),
    ].join('\n');
    const trailerSig = createHmac('sha256', signing.signingKey).update(stringToSign).digest('hex');
    const good = signedBody(
      data,
      exampleSignatures,
      `${trailerLine}\r\nx-amz-trailer-signature:${trailerSig}\r\n`,
    );
    const decoder = new AwsChunkedDecoder({ signing });
    await decode(good, decoder);
    expect(decoder.trailers.get('x-amz-checksum-crc32')).toBe(crc32Base64(Buffer.concat(data)));
    const bad = signedBody(
      data,
      exampleSignatures,
      `x-amz-checksum-crc32:AAAAAA==\r\nx-amz-trailer-signature:${trailerSig}\r\n`,
    );
    await expect(decode(bad, new AwsChunkedDecoder({ signing }))).rejects.toMatchObject({
      code: 'SignatureDoesNotMatch',
    });
  });

  it('decodes unsigned frames with a checksum trailer, and the verifier checks it', async () => {
    const payload = Buffer.from('hello aws-chunked world');
    const body = encodeAwsChunked([payload.subarray(0, 5), payload.subarray(5)], {
      'x-amz-checksum-crc32': crc32Base64(payload),
    });
    for (const step of [1, 3, 1000]) {
      const decoder = new AwsChunkedDecoder();
      const verifier = new BodyVerifier({
        maxBytes: 1000,
        length: payload.length,
        checksum: { algorithm: 'crc32', expected: () => decoder.trailers.get('x-amz-checksum-crc32') },
      });
      expect((await decode(body, decoder, step, verifier)).toString()).toBe(payload.toString());
    }
  });

  it('fails the stream when the trailer checksum is wrong', async () => {
    const payload = Buffer.from('checksummed');
    const decoder = new AwsChunkedDecoder();
    const verifier = new BodyVerifier({
      maxBytes: 1000,
      checksum: { algorithm: 'crc32', expected: () => decoder.trailers.get('x-amz-checksum-crc32') },
    });
    const body = encodeAwsChunked([payload], { 'x-amz-checksum-crc32': crc32Base64(Buffer.from('other')) });
    await expect(decode(body, decoder, 1000, verifier)).rejects.toMatchObject({ code: 'BadDigest' });
  });

  it('rejects malformed framing', async () => {
    const cases = ['zz\r\nabc\r\n0\r\n\r\n', '3\r\nabcdef\r\n0\r\n\r\n', '3\r\nabc\r\n', '3\nabc\n0\n\n'];
    for (const body of cases) {
      await expect(decode(Buffer.from(body), new AwsChunkedDecoder()), body).rejects.toMatchObject({
        code: 'InvalidRequest',
      });
    }
  });

  it('enforces the size limit and the declared length', async () => {
    const big = encodeAwsChunked([Buffer.alloc(2000)]);
    await expect(
      decode(big, new AwsChunkedDecoder(), 500, new BodyVerifier({ maxBytes: 1000 })),
    ).rejects.toMatchObject({
      code: 'EntityTooLarge',
    });
    const short = encodeAwsChunked([Buffer.alloc(10)]);
    await expect(
      decode(short, new AwsChunkedDecoder(), 500, new BodyVerifier({ maxBytes: 1000, length: 11 })),
    ).rejects.toMatchObject({ code: 'InvalidRequest' });
  });
});

describe('crc32c', () => {
  it('matches the published check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.from('56789'), crc32c(Buffer.from('1234')))).toBe(0xe3069283);
  });
});
