import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveSigningKey } from '../../src/security/sigv4.js';
import { Sha256 } from '../../src/testing/sha256.js';
import { clientConfig, startServer, type TestServer } from '../helpers/server.js';

/**
 * Bodies the SDK does not send by default: STREAMING-AWS4-HMAC-SHA256-PAYLOAD (every chunk
 * signed), built by hand on top of a normally signed request; and an upload cut off midway.
 */

let server: TestServer;
let s3: S3Client;
const bucket = 'stream-bucket';
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** The hash constructor SignatureV4 wants: SHA-256, or HMAC-SHA256 when given a secret. */

beforeAll(async () => {
  server = await startServer();
  s3 = new S3Client({ ...clientConfig(server), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(async () => {
  s3?.destroy();
  await server?.stop();
});

/** SigV4 headers for a PUT to `/<bucket>/<key>` with the given payload hash header. */
async function signPut(key: string, headers: Record<string, string>): Promise<Record<string, string>> {
  const url = new URL(server.url);
  const signer = new SignatureV4({
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    region: server.region,
    service: 's3',
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: 'PUT',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: `/${bucket}/${key}`,
    headers: { host: url.host, ...headers },
    query: {},
  });
  return signed.headers;
}

/** Sends a PUT whose body is aws-chunked with chunk signatures; `corrupt` flips a byte after signing. */
async function signedChunkedPut(
  key: string,
  data: Buffer,
  chunkSize: number,
  corrupt = false,
): Promise<number> {
  const url = new URL(server.url);
  const signed = {
    headers: await signPut(key, {
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(data.length),
    }),
  };
  const auth = signed.headers.authorization ?? signed.headers.Authorization ?? '';
  const seed = /Signature=([0-9a-f]{64})/.exec(auth)![1]!;
  const amzDate = signed.headers['x-amz-date']!;
  const scope = `${amzDate.slice(0, 8)}/${server.region}/s3/aws4_request`;
  const key4 = deriveSigningKey(server.secretAccessKey, amzDate.slice(0, 8), server.region, 's3');
  const frames: Buffer[] = [];
  let previous = seed;
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkSize) chunks.push(data.subarray(i, i + chunkSize));
  for (const chunk of [...chunks, Buffer.alloc(0)]) {
    const toSign = ['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, previous, sha256(''), sha256(chunk)].join(
      '\n',
    );
    previous = createHmac('sha256', key4).update(toSign).digest('hex');
    frames.push(
      Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`),
      Buffer.from(chunk),
      Buffer.from('\r\n'),
    );
  }
  const body = Buffer.concat(frames);
  if (corrupt) body.writeUInt8(body.readUInt8(body.length - 200) ^ 1, body.length - 200);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        method: 'PUT',
        host: url.hostname,
        port: url.port,
        path: `/${bucket}/${key}`,
        headers: { ...signed.headers, 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('S3 streaming uploads', () => {
  it('accepts STREAMING-AWS4-HMAC-SHA256-PAYLOAD with valid chunk signatures', async () => {
    const data = randomBytes(150_000);
    expect(await signedChunkedPut('signed.bin', data, 64 * 1024)).toBe(200);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'signed.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
  });

  it('refuses a signed chunked body with a corrupted chunk and stores nothing', async () => {
    expect(await signedChunkedPut('corrupt.bin', randomBytes(150_000), 64 * 1024, true)).toBe(403);
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'corrupt.bin' }))).rejects.toMatchObject(
      { name: 'NoSuchKey' },
    );
  });

  it('leaves no temp file behind when the client aborts an upload', async () => {
    const url = new URL(server.url);
    const headers = await signPut('aborted.bin', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' });
    const req = request({
      method: 'PUT',
      host: url.hostname,
      port: url.port,
      path: `/${bucket}/aborted.bin`,
      headers: { ...headers, 'content-length': 64 * 1024 * 1024 },
    });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(1024 * 1024, 7));
    await new Promise((r) => setTimeout(r, 300));
    const tmp = join(server.dataDir, 'objects', '.tmp');
    expect((await readdir(tmp)).length).toBe(1); // the upload is streaming into a temp file
    req.destroy();
    for (let i = 0; i < 50 && (await readdir(tmp)).length > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await readdir(tmp)).toEqual([]);
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'aborted.bin' }))).rejects.toMatchObject(
      { name: 'NoSuchKey' },
    );
  });
});
