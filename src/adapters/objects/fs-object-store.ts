import { mkdir, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { AwsError } from '../../errors/aws-error.js';
import type {
  BucketInfo,
  ByteRange,
  ListOptions,
  ListResult,
  ObjectInfo,
  ObjectStore,
  PutOptions,
} from '../../ports/object-store.js';
import { DEFAULT_CONTENT_TYPE, FsLayout, noSuchKey, toObjectInfo } from './fs-layout.js';
import { listBucketDir } from './fs-list.js';
import { FsMultipart } from './fs-multipart.js';
import { assertBucketName, assertKey } from './key-codec.js';
import {
  type BodySource,
  isMissing,
  openObjectFile,
  readObjectMeta,
  writeTempObject,
} from './object-file.js';

/** Options of the directory object store. */
export interface FsObjectStoreOptions {
  /** fsync every object before it is renamed into place (durable across power loss, slower). */
  readonly fsync?: boolean;
}

/**
 * The embedded object store: a directory `<root>/<bucket>/<key>` (keys encoded by
 * `key-codec.ts`). Writes stream to `<root>/.tmp` and are renamed into place, so readers see
 * the old object or the new one, never a part.
 */
export function createFsObjectStore(rootDir: string, options: FsObjectStoreOptions = {}): ObjectStore {
  const layout = new FsLayout(rootDir, options.fsync ?? false);
  layout.init();
  const multipart = new FsMultipart(layout);

  async function write(bucket: string, key: string, body: BodySource, meta: PutOptions): Promise<ObjectInfo> {
    guardEarlyErrors(body);
    const finalPath = layout.objectPath(bucket, key);
    await layout.bucketCreated(bucket);
    const written = await writeTempObject(
      layout.tmpDir,
      [body],
      (md5) => ({
        key,
        etag: `"${md5.toString('hex')}"`,
        contentType: meta.contentType ?? DEFAULT_CONTENT_TYPE,
        metadata: { ...meta.metadata },
        lastModified: new Date().toISOString(),
      }),
      layout.fsync,
    );
    await layout.place(written.path, finalPath);
    return toObjectInfo(bucket, written.meta, written.size);
  }

  async function missingObject(bucket: string, key: string): Promise<never> {
    await layout.bucketCreated(bucket); // NoSuchBucket wins over NoSuchKey, as in S3
    throw noSuchKey(bucket, key);
  }

  const store: ObjectStore = {
    async createBucket(name) {
      assertBucketName(name);
      // Built aside and renamed in, so a bucket never exists without its marker.
      const staging = layout.tempPath('.bucket');
      await mkdir(staging);
      await writeFile(join(staging, '.bucket'), JSON.stringify({ created: new Date().toISOString() }));
      try {
        await rename(staging, layout.bucketDir(name));
      } catch (error) {
        await rm(staging, { recursive: true, force: true });
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' || code === 'ENOTEMPTY') {
          throw new AwsError(
            'BucketAlreadyOwnedByYou',
            'Your previous request to create the named bucket succeeded and you already own it.',
            { BucketName: name },
          );
        }
        throw error;
      }
    },

    async deleteBucket(name) {
      await layout.bucketCreated(name);
      const listed = await store.listObjects(name, { maxKeys: 1 });
      if (listed.objects.length > 0 || listed.commonPrefixes.length > 0) {
        throw new AwsError('BucketNotEmpty', 'The bucket you tried to delete is not empty.', {
          BucketName: name,
        });
      }
      const trash = layout.tempPath('.trash');
      await rename(layout.bucketDir(name), trash);
      await rm(trash, { recursive: true, force: true });
    },

    async headBucket(name) {
      return { name, creationDate: await layout.bucketCreated(name) };
    },

    async listBuckets() {
      const buckets: BucketInfo[] = [];
      for (const name of (await readdir(rootDir)).sort()) {
        if (name.startsWith('.')) continue;
        try {
          buckets.push(await store.headBucket(name));
        } catch {
          // not a bucket (a stray directory or file): skip
        }
      }
      return buckets;
    },

    putObject(bucket, key, body, putOptions = {}) {
      return write(bucket, key, body, putOptions);
    },

    async getObject(bucket, key, range?: ByteRange) {
      const opened = await openObjectFile(layout.objectPath(bucket, key));
      if (!opened) return missingObject(bucket, key);
      const info = toObjectInfo(bucket, opened.meta, opened.size);
      const start = range?.start ?? 0;
      const end = Math.min(range?.end ?? opened.size - 1, opened.size - 1);
      if (range && (start < 0 || start > end || start >= opened.size)) {
        await opened.handle.close();
        throw new AwsError('InvalidRange', 'The requested range is not satisfiable', {
          RangeRequested: `bytes=${range.start}-${range.end}`,
          ActualObjectSize: opened.size,
        });
      }
      if (opened.size === 0) {
        await opened.handle.close();
        return { info, body: Readable.from([]) };
      }
      // Read from the handle we opened: a concurrent overwrite renames a new inode in, ours stays whole.
      return { info, body: opened.handle.createReadStream({ start, end, autoClose: true }) };
    },

    async headObject(bucket, key) {
      const stored = await readObjectMeta(layout.objectPath(bucket, key));
      if (!stored) return missingObject(bucket, key);
      return toObjectInfo(bucket, stored.meta, stored.size);
    },

    async deleteObject(bucket, key) {
      const path = layout.objectPath(bucket, key);
      await layout.bucketCreated(bucket);
      try {
        await unlink(path);
      } catch (error) {
        if (!isMissing(error)) throw error;
        return;
      }
      await layout.prune(layout.bucketDir(bucket), dirname(path));
    },

    async listObjects(bucket, listOptions: ListOptions = {}): Promise<ListResult> {
      await layout.bucketCreated(bucket);
      return listBucketDir(layout.bucketDir(bucket), listOptions, (meta, size) =>
        toObjectInfo(bucket, meta, size),
      );
    },

    async copyObject(source, target, putOptions) {
      assertKey(target.key);
      await layout.bucketCreated(target.bucket);
      const opened = await openObjectFile(layout.objectPath(source.bucket, source.key));
      if (!opened) return missingObject(source.bucket, source.key);
      const meta = putOptions ?? { contentType: opened.meta.contentType, metadata: opened.meta.metadata };
      if (opened.size === 0) {
        await opened.handle.close();
        return write(target.bucket, target.key, Buffer.alloc(0), meta);
      }
      const data = opened.handle.createReadStream({ start: 0, end: opened.size - 1, autoClose: true });
      return write(target.bucket, target.key, data, meta);
    },

    createMultipartUpload: (bucket, key, putOptions) => multipart.create(bucket, key, putOptions),
    uploadPart: (bucket, key, uploadId, partNumber, body) => {
      guardEarlyErrors(body);
      return multipart.uploadPart(bucket, key, uploadId, partNumber, body);
    },
    listParts: (bucket, key, uploadId) => multipart.listParts(bucket, key, uploadId),
    completeMultipartUpload: (bucket, key, uploadId, parts) =>
      multipart.complete(bucket, key, uploadId, parts),
    abortMultipartUpload: (bucket, key, uploadId) => multipart.abort(bucket, key, uploadId),
    listMultipartUploads: (bucket, options) => multipart.list(bucket, options?.prefix),
  };
  return store;
}

/**
 * A body stream may fail (e.g. its file vanished) before it is read, while the store awaits
 * something else; without a listener that error would crash the process. The error still
 * reaches the writer: reading an errored stream throws it.
 */
function guardEarlyErrors(body: BodySource): void {
  if (!Buffer.isBuffer(body) && 'once' in body) body.once('error', () => undefined);
}
