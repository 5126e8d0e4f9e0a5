import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig, startServer, type TestServer } from '../helpers/server.js';

/** The S3 API end to end: the official JS SDK v3 against a real `lathe serve`. */

const MiB = 1024 * 1024;
const md5 = (data: Buffer | string) => `"${createHash('md5').update(data).digest('hex')}"`;

let server: TestServer;
let s3: S3Client;
/** Headers of the last request the SDK sent, as signed. */
let sent: Record<string, string> = {};
const bucket = 'e2e-bucket';

async function text(key: string, extra: { Range?: string } = {}): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...extra }));
  return out.Body!.transformToString();
}

async function failure(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  const error = await promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e: { name: string; $metadata?: { httpStatusCode?: number } }) => e,
  );
  return { name: error.name, status: error.$metadata?.httpStatusCode };
}

beforeAll(async () => {
  server = await startServer();
  s3 = new S3Client({ ...clientConfig(server), forcePathStyle: true });
  s3.middlewareStack.add(
    (next) => async (args) => {
      sent = { ...(args.request as { headers: Record<string, string> }).headers };
      return next(args);
    },
    { step: 'deserialize', name: 'recordHeaders' },
  );
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(async () => {
  s3?.destroy();
  await server?.stop();
});

describe('S3 API with the JS SDK v3', () => {
  it('creates, heads, lists and locates buckets', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'e2e-configured', CreateBucketConfiguration: {} }));
    await s3.send(new HeadBucketCommand({ Bucket: 'e2e-configured' }));
    const listed = await s3.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((b) => b.Name)).toEqual(expect.arrayContaining([bucket, 'e2e-configured']));
    const location = await s3.send(new GetBucketLocationCommand({ Bucket: bucket }));
    expect(location.LocationConstraint ?? '').toBe('');
    // us-east-1 (the server's region here) answers 200 for a bucket you already own, as AWS does.
    const again = await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    expect(again.$metadata.httpStatusCode).toBe(200);
    expect(
      (await s3.send(new ListBucketsCommand({}))).Buckets?.filter((b) => b.Name === bucket),
    ).toHaveLength(1);
    expect((await failure(s3.send(new HeadBucketCommand({ Bucket: 'e2e-missing' })))).status).toBe(404);
  });

  it('puts a string body (CRC32 header) and gets, heads and deletes it', async () => {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'hello.txt',
        Body: 'hello, lathe',
        ContentType: 'text/plain',
        Metadata: { origin: 'e2e' },
      }),
    );
    expect(put.ETag).toBe(md5('hello, lathe'));
    expect(sent['x-amz-checksum-crc32']).toBeDefined();
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'hello.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello, lathe');
    expect(got).toMatchObject({ ContentType: 'text/plain', ContentLength: 12, Metadata: { origin: 'e2e' } });
    expect(got.LastModified).toBeInstanceOf(Date);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'hello.txt' }));
    expect(head.ETag).toBe(md5('hello, lathe'));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'hello.txt' }));
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'hello.txt' })))).toEqual({
      name: 'NoSuchKey',
      status: 404,
    });
    expect((await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'hello.txt' })))).status).toBe(
      404,
    );
  });

  it('puts a Readable body: aws-chunked with a CRC32 trailer', async () => {
    const data = randomBytes(200_000);
    const body = Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]);
    const put = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'stream.bin', Body: body, ContentLength: data.length }),
    );
    expect(sent['content-encoding']).toContain('aws-chunked');
    expect(sent['x-amz-content-sha256']).toMatch(/^STREAMING-/);
    expect(sent['x-amz-trailer']).toBe('x-amz-checksum-crc32');
    expect(put.ETag).toBe(md5(data));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'stream.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
  });

  it('refuses a body whose checksum does not match and keeps the old object', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'guarded', Body: 'original' }));
    const bad = await failure(
      s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'guarded', Body: 'changed!', ChecksumCRC32: 'AAAAAA==' }),
      ),
    );
    expect(bad).toEqual({ name: 'BadDigest', status: 400 });
    expect(await text('guarded')).toBe('original');
  });

  it('refuses a tampered body (signed SHA-256 mismatch) and keeps the old object', async () => {
    const tamperer = new S3Client({
      ...clientConfig(server),
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    tamperer.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body: unknown; headers: Record<string, string> };
        request.body = 'tampered'; // same length as the signed 'original', after signing
        return next(args);
      },
      { step: 'deserialize', name: 'tamper' },
    );
    const result = await failure(
      tamperer.send(new PutObjectCommand({ Bucket: bucket, Key: 'guarded', Body: 'original' })),
    );
    tamperer.destroy();
    expect(result).toEqual({ name: 'XAmzContentSHA256Mismatch', status: 400 });
    expect(await text('guarded')).toBe('original');
  });

  it('serves ranges and conditional requests', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'digits', Body: '0123456789' }));
    const ranged = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'digits', Range: 'bytes=2-5' }));
    expect(ranged.ContentRange).toBe('bytes 2-5/10');
    expect(ranged.$metadata.httpStatusCode).toBe(206);
    expect(await ranged.Body!.transformToString()).toBe('2345');
    expect(await text('digits', { Range: 'bytes=-3' })).toBe('789');
    expect(await text('digits', { Range: 'bytes=8-' })).toBe('89');
    expect(
      await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'digits', Range: 'bytes=10-11' }))),
    ).toEqual({
      name: 'InvalidRange',
      status: 416,
    });
    const etag = md5('0123456789');
    expect(
      (await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'digits', IfNoneMatch: etag }))))
        .status,
    ).toBe(304);
    expect(
      await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'digits', IfMatch: '"nope"' }))),
    ).toEqual({
      name: 'PreconditionFailed',
      status: 412,
    });
    const since = new Date(Date.now() + 60_000);
    expect(
      (
        await failure(
          s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'digits', IfModifiedSince: since })),
        )
      ).status,
    ).toBe(304);
    const overridden = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: 'digits',
        IfMatch: etag,
        ResponseContentType: 'text/x-digits',
      }),
    );
    expect(overridden.ContentType).toBe('text/x-digits');
    await overridden.Body!.transformToString();
  });

  it('lists with prefix, delimiter and pagination (V2 and V1)', async () => {
    const keys = ['ls/a.txt', 'ls/b/1.txt', 'ls/b/2.txt', 'ls/c.txt', 'ls/d/x/y.txt', 'ls/e.txt'];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    const flat = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'ls/' }));
    expect(flat.Contents?.map((c) => c.Key)).toEqual(keys);
    expect(flat.KeyCount).toBe(6);
    expect(flat.Contents?.[0]).toMatchObject({ Size: 8, ETag: md5('ls/a.txt') });

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: 'ls/',
          Delimiter: '/',
          MaxKeys: 2,
          ContinuationToken: token,
        }),
      );
      pages++;
      seen.push(
        ...(page.Contents ?? []).map((c) => c.Key!),
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!),
      );
      expect(page.KeyCount).toBeLessThanOrEqual(2);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(['ls/a.txt', 'ls/b/', 'ls/c.txt', 'ls/d/', 'ls/e.txt']);

    const after = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'ls/', StartAfter: 'ls/c.txt' }),
    );
    expect(after.Contents?.map((c) => c.Key)).toEqual(['ls/d/x/y.txt', 'ls/e.txt']);

    const v1 = await s3.send(new ListObjectsCommand({ Bucket: bucket, Prefix: 'ls/', MaxKeys: 4 }));
    expect(v1.IsTruncated).toBe(true);
    const v1next = await s3.send(
      new ListObjectsCommand({ Bucket: bucket, Prefix: 'ls/', Marker: v1.NextMarker }),
    );
    expect([...(v1.Contents ?? []), ...(v1next.Contents ?? [])].map((c) => c.Key)).toEqual(keys);

    const encoded = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'ls/a', EncodingType: 'url', FetchOwner: true }),
    );
    expect(encoded.Contents?.[0]?.Owner?.ID).toBe(server.accessKeyId);
  });

  it('copies objects with COPY and REPLACE directives', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'copy/src file+ü',
        Body: 'payload',
        ContentType: 'text/x-a',
        Metadata: { a: '1' },
      }),
    );
    const copied = await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'copy/dst',
        CopySource: `${bucket}/${encodeURIComponent('copy/src file+ü')}`,
      }),
    );
    expect(copied.CopyObjectResult?.ETag).toBe(md5('payload'));
    const kept = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copy/dst' }));
    expect(kept).toMatchObject({ ContentType: 'text/x-a', Metadata: { a: '1' } });
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'copy/dst',
        CopySource: `${bucket}/copy/dst`,
        MetadataDirective: 'REPLACE',
        ContentType: 'text/x-b',
        Metadata: { b: '2' },
      }),
    );
    expect(await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copy/dst' }))).toMatchObject({
      ContentType: 'text/x-b',
      Metadata: { b: '2' },
    });
    expect(
      (
        await failure(
          s3.send(
            new CopyObjectCommand({ Bucket: bucket, Key: 'copy/dst', CopySource: `${bucket}/copy/dst` }),
          ),
        )
      ).status,
    ).toBe(400);
  });

  it('lists multipart uploads in progress, page by page', async () => {
    const ids: string[] = [];
    for (const key of ['lmu/a', 'lmu/b', 'lmu/c']) {
      ids.push((await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))).UploadId!);
    }
    const first = await s3.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'lmu/', MaxUploads: 2 }),
    );
    expect(first.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([
      ['lmu/a', ids[0]],
      ['lmu/b', ids[1]],
    ]);
    expect(first.IsTruncated).toBe(true);
    expect(first.Uploads?.[0]?.Initiated).toBeInstanceOf(Date);
    const rest = await s3.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        Prefix: 'lmu/',
        KeyMarker: first.NextKeyMarker,
        UploadIdMarker: first.NextUploadIdMarker,
      }),
    );
    expect(rest.Uploads?.map((u) => u.Key)).toEqual(['lmu/c']);
    expect(rest.IsTruncated).toBe(false);
    for (const [i, key] of ['lmu/a', 'lmu/b', 'lmu/c'].entries()) {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: ids[i] }));
    }
    expect(
      (await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'lmu/' }))).Uploads ?? [],
    ).toEqual([]);
  });

  it('uploads multipart: two 5 MiB parts and a small one', async () => {
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(1234)];
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp/big.bin',
        ContentType: 'application/x-big',
      }),
    );
    const etags: string[] = [];
    for (const [i, data] of parts.entries()) {
      const out = await s3.send(
        new UploadPartCommand({ Bucket: bucket, Key: 'mp/big.bin', UploadId, PartNumber: i + 1, Body: data }),
      );
      etags.push(out.ETag!);
    }
    expect(etags).toEqual(parts.map((p) => md5(p)));
    const listed = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'mp/big.bin', UploadId }));
    expect(listed.Parts?.map((p) => p.Size)).toEqual([5 * MiB, 5 * MiB, 1234]);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp/big.bin',
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    const expected = createHash('md5')
      .update(Buffer.concat(parts.map((p) => createHash('md5').update(p).digest())))
      .digest('hex');
    expect(done.ETag).toBe(`"${expected}-3"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'mp/big.bin' }));
    expect(got.ContentType).toBe('application/x-big');
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts))).toBe(true);
  });

  it('deletes many objects, quietly or not', async () => {
    for (const key of ['del/1', 'del/2', 'del/3'])
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    const loud = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: 'del/1' }, { Key: 'del/none' }] },
      }),
    );
    expect(loud.Deleted?.map((d) => d.Key).sort()).toEqual(['del/1', 'del/none']);
    const quiet = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Quiet: true, Objects: [{ Key: 'del/2' }, { Key: 'del/3' }] },
      }),
    );
    expect(quiet.Deleted ?? []).toEqual([]);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'del/' }));
    expect(left.KeyCount).toBe(0);
  });

  it('round-trips keys with spaces, unicode, plus and percent signs', async () => {
    const keys = [
      'odd/with space',
      'odd/ünï 日本',
      'odd/a+b',
      'odd/100%',
      'odd/q?x=1&y',
      'odd/~tilde',
      'odd/emoji 🦀',
    ];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    for (const key of keys) expect(await text(key)).toBe(key);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'odd/' }));
    expect(listed.Contents?.map((c) => c.Key).sort()).toEqual([...keys].sort());
    const encoded = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'odd/', EncodingType: 'url' }),
    );
    expect(encoded.Contents?.map((c) => decodeURIComponent(c.Key!.replace(/\+/g, ' '))).sort()).toEqual(
      [...keys].sort(),
    );
  });

  it('answers 4xx, never 5xx, for keys that would escape the store', async () => {
    for (const key of ['../escape', 'a/../../escape', 'nul\0byte', 'back\\slash']) {
      const result = await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' })));
      expect(result.status, key).toBeGreaterThanOrEqual(400);
      expect(result.status, key).toBeLessThan(500);
    }
    const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: '../' }));
    expect(list.KeyCount).toBe(0);
  });

  it('answers NotImplemented for sub-resources it does not serve', async () => {
    expect(await failure(s3.send(new GetBucketAclCommand({ Bucket: bucket })))).toEqual({
      name: 'NotImplemented',
      status: 501,
    });
  });
});
