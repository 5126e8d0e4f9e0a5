import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../ports/object-store.js';

/**
 * The object store contract: one suite every ObjectStore adapter passes (directory store,
 * S3-compatible server). `factory` gives a fresh store; `cleanup` ends it.
 */
export interface ConformanceTarget {
  readonly store: ObjectStore;
  cleanup(): Promise<void>;
}

const MiB = 1024 * 1024;
const md5 = (data: Buffer | string): string => `"${createHash('md5').update(data).digest('hex')}"`;

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Asserts that `promise` rejects with an AWS-shaped error of `code` (and a 4xx status when given). */
async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as { code?: string; name?: string; status?: number },
  );
  expect(error, `expected ${code}`).toBeDefined();
  expect(error?.code ?? error?.name).toBe(code);
}

/** Registers the conformance suite for one adapter. */
export function objectStoreConformance(name: string, factory: () => Promise<ConformanceTarget>): void {
  describe(`ObjectStore conformance: ${name}`, () => {
    let target: ConformanceTarget;
    let store: ObjectStore;
    const bucket = `conf-${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      target = await factory();
      store = target.store;
      await store.createBucket(bucket);
    });
    afterAll(async () => {
      await target?.cleanup();
    });

    it('creates, heads, lists and deletes buckets', async () => {
      const other = `${bucket}-b`;
      await store.createBucket(other);
      expect((await store.headBucket(other)).name).toBe(other);
      expect((await store.listBuckets()).map((b) => b.name)).toEqual(expect.arrayContaining([bucket, other]));
      await expectCode(store.createBucket(other), 'BucketAlreadyOwnedByYou');
      await store.putObject(other, 'x', Buffer.from('x'));
      await expectCode(store.deleteBucket(other), 'BucketNotEmpty');
      await store.deleteObject(other, 'x');
      await store.deleteBucket(other);
      await expectCode(store.headBucket(other), 'NoSuchBucket');
      await expectCode(store.putObject(other, 'x', Buffer.from('x')), 'NoSuchBucket');
    });

    it('rejects invalid bucket names', async () => {
      for (const bad of [
        'ab',
        'UPPER',
        'has_underscore',
        '-leading',
        'a..b',
        '192.168.1.1',
        'x'.repeat(64),
      ]) {
        await expectCode(store.createBucket(bad), 'InvalidBucketName');
      }
    });

    it('puts, heads, gets and deletes an object', async () => {
      const body = Buffer.from('hello, lathe');
      const put = await store.putObject(bucket, 'greeting.txt', body, {
        contentType: 'text/plain',
        metadata: { origin: 'test', 'two-words': 'a b' },
      });
      expect(put.etag).toBe(md5(body));
      expect(put.size).toBe(body.length);
      const head = await store.headObject(bucket, 'greeting.txt');
      expect(head).toMatchObject({
        key: 'greeting.txt',
        size: body.length,
        etag: md5(body),
        contentType: 'text/plain',
      });
      expect(head.metadata).toEqual({ origin: 'test', 'two-words': 'a b' });
      expect(Math.abs(head.lastModified.getTime() - Date.now())).toBeLessThan(60_000);
      const got = await store.getObject(bucket, 'greeting.txt');
      expect((await readAll(got.body)).toString()).toBe('hello, lathe');
      await store.deleteObject(bucket, 'greeting.txt');
      await expectCode(store.headObject(bucket, 'greeting.txt'), 'NoSuchKey');
      await expectCode(store.getObject(bucket, 'greeting.txt'), 'NoSuchKey');
      await store.deleteObject(bucket, 'greeting.txt'); // absent: still fine
    });

    it('answers NoSuchBucket for objects of a missing bucket', async () => {
      await expectCode(store.headObject('no-such-bucket-lathe', 'k'), 'NoSuchBucket');
      await expectCode(store.getObject('no-such-bucket-lathe', 'k'), 'NoSuchBucket');
      await expectCode(store.listObjects('no-such-bucket-lathe'), 'NoSuchBucket');
    });

    it('stores streams, empty objects and overwrites', async () => {
      const data = randomBytes(300_000);
      const put = await store.putObject(
        bucket,
        'stream.bin',
        Readable.from([data.subarray(0, 1000), data.subarray(1000)]),
      );
      expect(put.etag).toBe(md5(data));
      expect((await readAll((await store.getObject(bucket, 'stream.bin')).body)).equals(data)).toBe(true);
      await store.putObject(bucket, 'stream.bin', Buffer.from('short'));
      expect((await readAll((await store.getObject(bucket, 'stream.bin')).body)).toString()).toBe('short');
      await store.putObject(bucket, 'empty', Buffer.alloc(0));
      const empty = await store.getObject(bucket, 'empty');
      expect(empty.info.size).toBe(0);
      expect((await readAll(empty.body)).length).toBe(0);
      expect(empty.info.etag).toBe(md5(''));
    });

    it('stores nothing when the body stream fails', async () => {
      await store.putObject(bucket, 'keep.txt', Buffer.from('original'));
      const failing = new Readable({
        read() {
          this.push(Buffer.alloc(1024, 1));
          this.destroy(new Error('client went away'));
        },
      });
      await expect(store.putObject(bucket, 'keep.txt', failing)).rejects.toThrow();
      expect((await readAll((await store.getObject(bucket, 'keep.txt')).body)).toString()).toBe('original');
    });

    it('rejects (and does not crash) when the body stream fails before it is read', async () => {
      await store.putObject(bucket, 'keep2.txt', Buffer.from('original'));
      // Fails on the next tick, while the store may still be awaiting its own set-up.
      const early = new Readable({ read() {} });
      process.nextTick(() =>
        early.destroy(Object.assign(new Error('ENOENT: file vanished'), { code: 'ENOENT' })),
      );
      await expect(store.putObject(bucket, 'keep2.txt', early)).rejects.toThrow(/vanished/);
      expect((await readAll((await store.getObject(bucket, 'keep2.txt')).body)).toString()).toBe('original');
    });

    it('reads byte ranges', async () => {
      const data = Buffer.from('0123456789');
      await store.putObject(bucket, 'digits', data);
      const read = async (start: number, end: number) =>
        (await readAll((await store.getObject(bucket, 'digits', { start, end })).body)).toString();
      expect(await read(0, 0)).toBe('0');
      expect(await read(2, 5)).toBe('2345');
      expect(await read(7, 100)).toBe('789');
      await expectCode(store.getObject(bucket, 'digits', { start: 10, end: 12 }), 'InvalidRange');
    });

    it('keeps a key and keys below it as a prefix apart', async () => {
      await store.putObject(bucket, 'tree/a/b', Buffer.from('file'));
      await store.putObject(bucket, 'tree/a/b/c', Buffer.from('below'));
      await store.putObject(bucket, 'tree/a/', Buffer.from('marker'));
      await store.putObject(bucket, 'tree/a//double', Buffer.from('double'));
      expect((await readAll((await store.getObject(bucket, 'tree/a/b')).body)).toString()).toBe('file');
      expect((await readAll((await store.getObject(bucket, 'tree/a/b/c')).body)).toString()).toBe('below');
      expect((await readAll((await store.getObject(bucket, 'tree/a/')).body)).toString()).toBe('marker');
      const listed = await store.listObjects(bucket, { prefix: 'tree/' });
      expect(listed.objects.map((o) => o.key)).toEqual([
        'tree/a/',
        'tree/a//double',
        'tree/a/b',
        'tree/a/b/c',
      ]);
      await store.deleteObject(bucket, 'tree/a/b');
      expect((await readAll((await store.getObject(bucket, 'tree/a/b/c')).body)).toString()).toBe('below');
    });

    it('accepts keys with spaces, unicode and URL-special characters', async () => {
      const keys = [
        'with space.txt',
        'ünïcödé/日本語.txt',
        'plus+sign',
        'per%cent',
        'tilde~o',
        'q?a=b&c#d',
        'emoji-🦀',
      ];
      for (const key of keys) {
        await store.putObject(bucket, `special/${key}`, Buffer.from(key));
        expect((await readAll((await store.getObject(bucket, `special/${key}`)).body)).toString()).toBe(key);
      }
      const listed = await store.listObjects(bucket, { prefix: 'special/' });
      expect(listed.objects.map((o) => o.key).sort()).toEqual(keys.map((k) => `special/${k}`).sort());
    });

    it('rejects keys that would escape the store with a client error', async () => {
      for (const key of ['../escape', 'a/../../escape', 'a/./b', '/absolute', 'nul\0byte', 'back\\slash']) {
        const error = await store.putObject(bucket, key, Buffer.from('x')).then(
          () => undefined,
          (e: unknown) => e as { status?: number; $metadata?: { httpStatusCode?: number } },
        );
        expect(error, key).toBeDefined();
        const status = error?.status ?? error?.$metadata?.httpStatusCode;
        expect(status, key).toBeGreaterThanOrEqual(400);
        expect(status, key).toBeLessThan(500);
      }
    });

    it('lists in UTF-8 byte order with prefix, delimiter, startAfter and maxKeys', async () => {
      const keys = [
        'list/Z',
        'list/a',
        'list/a-b',
        'list/a/1',
        'list/a/2',
        'list/a0',
        'list/b/x/y',
        'list/~',
        'list/é',
      ];
      for (const key of [...keys].reverse()) await store.putObject(bucket, key, Buffer.from(key));
      const all = await store.listObjects(bucket, { prefix: 'list/' });
      expect(all.objects.map((o) => o.key)).toEqual(keys);
      expect(all.isTruncated).toBe(false);
      expect(all.objects[0]).toMatchObject({ size: 6, etag: md5('list/Z') });

      const delimited = await store.listObjects(bucket, { prefix: 'list/', delimiter: '/' });
      expect(delimited.objects.map((o) => o.key)).toEqual([
        'list/Z',
        'list/a',
        'list/a-b',
        'list/a0',
        'list/~',
        'list/é',
      ]);
      expect(delimited.commonPrefixes).toEqual(['list/a/', 'list/b/']);

      const seen: string[] = [];
      let startAfter: string | undefined;
      for (let page = 0; page < 20; page++) {
        const result = await store.listObjects(bucket, {
          prefix: 'list/',
          delimiter: '/',
          maxKeys: 2,
          startAfter,
        });
        seen.push(...result.objects.map((o) => o.key), ...result.commonPrefixes);
        expect(result.objects.length + result.commonPrefixes.length).toBeLessThanOrEqual(2);
        if (!result.isTruncated) break;
        startAfter = result.lastKey;
      }
      expect(seen.sort()).toEqual(
        [...delimited.objects.map((o) => o.key), ...delimited.commonPrefixes].sort(),
      );

      const after = await store.listObjects(bucket, { prefix: 'list/', startAfter: 'list/a/1', maxKeys: 3 });
      expect(after.objects.map((o) => o.key)).toEqual(['list/a/2', 'list/a0', 'list/b/x/y']);
      expect(after.isTruncated).toBe(true);
      expect(after.lastKey).toBe('list/b/x/y');
      const partial = await store.listObjects(bucket, { prefix: 'list/a' });
      expect(partial.objects.map((o) => o.key)).toEqual([
        'list/a',
        'list/a-b',
        'list/a/1',
        'list/a/2',
        'list/a0',
      ]);
    });

    it('copies objects, keeping or replacing metadata', async () => {
      await store.putObject(bucket, 'copy/src', Buffer.from('copy me'), {
        contentType: 'text/x-src',
        metadata: { a: '1' },
      });
      const kept = await store.copyObject({ bucket, key: 'copy/src' }, { bucket, key: 'copy/kept' });
      expect(kept.etag).toBe(md5('copy me'));
      expect(await store.headObject(bucket, 'copy/kept')).toMatchObject({
        contentType: 'text/x-src',
        metadata: { a: '1' },
      });
      await store.copyObject(
        { bucket, key: 'copy/src' },
        { bucket, key: 'copy/replaced' },
        {
          contentType: 'text/plain',
          metadata: { b: '2' },
        },
      );
      const replaced = await store.headObject(bucket, 'copy/replaced');
      expect(replaced).toMatchObject({ contentType: 'text/plain', metadata: { b: '2' } });
      expect((await readAll((await store.getObject(bucket, 'copy/replaced')).body)).toString()).toBe(
        'copy me',
      );
      await expectCode(
        store.copyObject({ bucket, key: 'copy/none' }, { bucket, key: 'copy/x' }),
        'NoSuchKey',
      );
    });

    it('lists uploads in progress by key, then age, until completed or aborted', async () => {
      const b = await store.createMultipartUpload(bucket, 'up/b');
      const a1 = await store.createMultipartUpload(bucket, 'up/a');
      await new Promise((r) => setTimeout(r, 5));
      const a2 = await store.createMultipartUpload(bucket, 'up/a');
      const other = await store.createMultipartUpload(bucket, 'elsewhere/c');
      const mine = (await store.listMultipartUploads(bucket, { prefix: 'up/' })).map((u) => [
        u.key,
        u.uploadId,
      ]);
      expect(mine).toEqual([
        ['up/a', a1],
        ['up/a', a2],
        ['up/b', b],
      ]);
      expect((await store.listMultipartUploads(bucket)).map((u) => u.uploadId)).toContain(other);
      expect((await store.listMultipartUploads(bucket))[0]!.initiated).toBeInstanceOf(Date);
      for (const [key, id] of [
        ['up/a', a1],
        ['up/a', a2],
        ['up/b', b],
        ['elsewhere/c', other],
      ] as const) {
        await store.abortMultipartUpload(bucket, key, id);
      }
      expect(await store.listMultipartUploads(bucket, { prefix: 'up/' })).toEqual([]);
      await expectCode(store.listMultipartUploads('no-such-bucket-here'), 'NoSuchBucket');
    });

    it('assembles multipart uploads', async () => {
      const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), Buffer.from('tail')];
      const id = await store.createMultipartUpload(bucket, 'mp/object', {
        contentType: 'application/x-mp',
        metadata: { m: 'p' },
      });
      const uploaded = [];
      for (const [i, data] of parts.entries()) {
        const body = i === 1 ? Readable.from([data]) : data;
        uploaded.push(await store.uploadPart(bucket, 'mp/object', id, i + 1, body));
      }
      expect(uploaded.map((p) => p.etag)).toEqual(parts.map((p) => md5(p)));
      const listed = await store.listParts(bucket, 'mp/object', id);
      expect(listed.map((p) => [p.partNumber, p.size])).toEqual([
        [1, 5 * MiB],
        [2, 5 * MiB],
        [3, 4],
      ]);
      await expectCode(
        store.completeMultipartUpload(bucket, 'mp/object', id, [uploaded[1]!, uploaded[0]!]),
        'InvalidPartOrder',
      );
      await expectCode(
        store.completeMultipartUpload(bucket, 'mp/object', id, [{ partNumber: 1, etag: md5('wrong') }]),
        'InvalidPart',
      );
      const info = await store.completeMultipartUpload(bucket, 'mp/object', id, uploaded);
      const expectedEtag = createHash('md5')
        .update(Buffer.concat(parts.map((p) => createHash('md5').update(p).digest())))
        .digest('hex');
      expect(info.etag).toBe(`"${expectedEtag}-3"`);
      const got = await store.getObject(bucket, 'mp/object');
      expect(got.info).toMatchObject({
        size: 10 * MiB + 4,
        contentType: 'application/x-mp',
        metadata: { m: 'p' },
      });
      expect((await readAll(got.body)).equals(Buffer.concat(parts))).toBe(true);
      await expectCode(store.listParts(bucket, 'mp/object', id), 'NoSuchUpload');
    });

    it('refuses small non-last parts and forgets aborted uploads', async () => {
      const id = await store.createMultipartUpload(bucket, 'mp/small');
      const one = await store.uploadPart(bucket, 'mp/small', id, 1, Buffer.from('small'));
      const two = await store.uploadPart(bucket, 'mp/small', id, 2, Buffer.from('parts'));
      await expectCode(store.completeMultipartUpload(bucket, 'mp/small', id, [one, two]), 'EntityTooSmall');
      await store.abortMultipartUpload(bucket, 'mp/small', id);
      await expectCode(store.uploadPart(bucket, 'mp/small', id, 3, Buffer.from('x')), 'NoSuchUpload');
      await expectCode(store.headObject(bucket, 'mp/small'), 'NoSuchKey');
    });
  });
}
