import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { mkdir, readFile, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AwsError } from '../../errors/aws-error.js';
import type { ObjectInfo } from '../../ports/object-store.js';
import { assertBucketName, assertKey, keyToPath } from './key-codec.js';
import { isMissing, type StoredMeta } from './object-file.js';

/**
 * Paths of the directory store and the moves between them. `<root>/<bucket>/…` holds
 * objects; `<root>/.tmp` (same filesystem, so rename is atomic) holds files being written;
 * `<root>/.uploads/<id>` holds multipart parts. Bucket names cannot start with a dot, so
 * neither area can be mistaken for a bucket.
 */
export class FsLayout {
  readonly tmpDir: string;
  readonly uploadsDir: string;

  constructor(
    readonly root: string,
    readonly fsync: boolean,
  ) {
    this.tmpDir = join(root, '.tmp');
    this.uploadsDir = join(root, '.uploads');
  }

  /** Creates the areas and empties `.tmp`: files a crash left there are referenced by nothing. */
  init(): void {
    rmSync(this.tmpDir, { recursive: true, force: true });
    mkdirSync(this.tmpDir, { recursive: true });
    mkdirSync(this.uploadsDir, { recursive: true });
  }

  bucketDir(bucket: string): string {
    assertBucketName(bucket);
    return join(this.root, bucket);
  }

  bucketMarker(bucket: string): string {
    return join(this.bucketDir(bucket), '.bucket');
  }

  objectPath(bucket: string, key: string): string {
    assertKey(key);
    return join(this.bucketDir(bucket), keyToPath(key));
  }

  tempPath(suffix = ''): string {
    return join(this.tmpDir, `${randomBytes(12).toString('hex')}${suffix}`);
  }

  /** Reads the bucket's creation date; throws NoSuchBucket when it does not exist. */
  async bucketCreated(bucket: string): Promise<Date> {
    try {
      const json = JSON.parse(await readFile(this.bucketMarker(bucket), 'utf8')) as { created: string };
      return new Date(json.created);
    } catch (error) {
      if (isMissing(error)) {
        throw new AwsError('NoSuchBucket', `The specified bucket does not exist: ${bucket}`, {
          BucketName: bucket,
        });
      }
      throw error;
    }
  }

  /** Renames a finished temp file into place, creating parent directories. */
  async place(tempPath: string, finalPath: string): Promise<void> {
    // A concurrent delete may prune the parent directory between mkdir and rename: retry.
    for (let attempt = 0; ; attempt++) {
      await mkdir(dirname(finalPath), { recursive: true });
      try {
        await rename(tempPath, finalPath);
        return;
      } catch (error) {
        if (!isMissing(error) || attempt >= 5) {
          await rm(tempPath, { force: true });
          throw error;
        }
      }
    }
  }

  /** Removes now-empty directories from `dir` up to (not including) the bucket directory. */
  async prune(bucketDir: string, dir: string): Promise<void> {
    let current = dir;
    while (current.length > bucketDir.length && current.startsWith(bucketDir)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
      current = dirname(current);
    }
  }
}

/** Builds the port's ObjectInfo from a trailer. */
export function toObjectInfo(bucket: string, meta: StoredMeta, size: number): ObjectInfo {
  return {
    bucket,
    key: meta.key,
    size,
    etag: meta.etag,
    lastModified: new Date(meta.lastModified),
    contentType: meta.contentType,
    metadata: meta.metadata,
  };
}

/** S3's default content type for objects stored without one. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

export function noSuchKey(bucket: string, key: string): AwsError {
  return new AwsError('NoSuchKey', `The specified key does not exist: ${key}`, {
    Key: key,
    BucketName: bucket,
  });
}
