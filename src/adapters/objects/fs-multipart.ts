import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { AwsError } from '../../errors/aws-error.js';
import type { ObjectInfo, PartInfo, PutOptions, UploadInfo } from '../../ports/object-store.js';
import { DEFAULT_CONTENT_TYPE, type FsLayout, toObjectInfo } from './fs-layout.js';
import { assertKey, compareUtf8 } from './key-codec.js';
import { isMissing, openObjectFile, readObjectMeta, writeTempObject } from './object-file.js';

/**
 * Multipart uploads of the directory store: each upload is a directory of part files (same
 * format as objects); completing streams the listed parts into one temp file and renames it
 * into place, so the object appears whole or not at all.
 */

/** S3's minimum size of every part but the last. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

interface UploadRecord {
  readonly bucket: string;
  readonly key: string;
  readonly contentType: string;
  readonly metadata: Record<string, string>;
  readonly initiated: string;
}

const partName = (n: number): string => `part-${String(n).padStart(5, '0')}`;
const unquote = (etag: string): string => etag.trim().replace(/^"|"$/g, '');

export class FsMultipart {
  constructor(private readonly layout: FsLayout) {}

  async create(bucket: string, key: string, options: PutOptions = {}): Promise<string> {
    assertKey(key);
    await this.layout.bucketCreated(bucket);
    const uploadId = randomBytes(16).toString('hex');
    const dir = join(this.layout.uploadsDir, uploadId);
    await mkdir(dir);
    const record: UploadRecord = {
      bucket,
      key,
      contentType: options.contentType ?? DEFAULT_CONTENT_TYPE,
      metadata: { ...options.metadata },
      initiated: new Date().toISOString(),
    };
    await writeFile(join(dir, 'upload.json'), JSON.stringify(record));
    return uploadId;
  }

  private async load(
    bucket: string,
    key: string,
    uploadId: string,
  ): Promise<{ dir: string; record: UploadRecord }> {
    const missing = new AwsError(
      'NoSuchUpload',
      `The specified multipart upload does not exist: ${uploadId}. The upload ID may be invalid, or the upload may have been aborted or completed.`,
      { UploadId: uploadId },
    );
    // The id becomes a path: only our own hex ids may reach the filesystem.
    if (!/^[0-9a-f]{32}$/.test(uploadId)) throw missing;
    const dir = join(this.layout.uploadsDir, uploadId);
    try {
      const record = JSON.parse(await readFile(join(dir, 'upload.json'), 'utf8')) as UploadRecord;
      if (record.bucket !== bucket || record.key !== key) throw missing;
      return { dir, record };
    } catch (error) {
      if (isMissing(error)) throw missing;
      throw error;
    }
  }

  async uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Readable | Buffer,
  ): Promise<PartInfo> {
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) {
      throw new AwsError(
        'InvalidArgument',
        'Part number must be an integer between 1 and 10000, inclusive.',
        {
          ArgumentName: 'partNumber',
        },
      );
    }
    const { dir } = await this.load(bucket, key, uploadId);
    const written = await writeTempObject(
      this.layout.tmpDir,
      [body],
      (md5) => ({
        key: partName(partNumber),
        etag: `"${md5.toString('hex')}"`,
        contentType: DEFAULT_CONTENT_TYPE,
        metadata: {},
        lastModified: new Date().toISOString(),
      }),
      this.layout.fsync,
    );
    try {
      // No mkdir here: an upload aborted while the part streamed in must stay gone.
      await rename(written.path, join(dir, partName(partNumber)));
    } catch (error) {
      await rm(written.path, { force: true });
      if (isMissing(error)) await this.load(bucket, key, uploadId);
      throw error;
    }
    return { partNumber, etag: written.meta.etag, size: written.size };
  }

  async list(bucket: string, prefix = ''): Promise<UploadInfo[]> {
    await this.layout.bucketCreated(bucket);
    const uploads: UploadInfo[] = [];
    for (const uploadId of await readdir(this.layout.uploadsDir)) {
      if (!/^[0-9a-f]{32}$/.test(uploadId)) continue;
      let record: UploadRecord;
      try {
        record = JSON.parse(await readFile(join(this.layout.uploadsDir, uploadId, 'upload.json'), 'utf8'));
      } catch (error) {
        if (isMissing(error)) continue; // completed or aborted meanwhile
        throw error;
      }
      if (record.bucket === bucket && record.key.startsWith(prefix)) {
        uploads.push({ key: record.key, uploadId, initiated: new Date(record.initiated) });
      }
    }
    // S3's order: keys by their UTF-8 bytes, then the oldest upload first.
    return uploads.sort((a, b) => compareUtf8(a.key, b.key) || a.initiated.getTime() - b.initiated.getTime());
  }

  async listParts(bucket: string, key: string, uploadId: string): Promise<PartInfo[]> {
    const { dir } = await this.load(bucket, key, uploadId);
    const parts: PartInfo[] = [];
    for (const name of (await readdir(dir)).sort()) {
      const m = /^part-(\d{5})$/.exec(name);
      if (!m) continue;
      const stored = await readObjectMeta(join(dir, name));
      if (stored) parts.push({ partNumber: Number(m[1]), etag: stored.meta.etag, size: stored.size });
    }
    return parts;
  }

  async complete(
    bucket: string,
    key: string,
    uploadId: string,
    parts: readonly { partNumber: number; etag: string }[],
  ): Promise<ObjectInfo> {
    const { dir, record } = await this.load(bucket, key, uploadId);
    if (parts.length === 0) {
      throw new AwsError(
        'InvalidRequest',
        'You must specify at least one part to complete a multipart upload.',
      );
    }
    const uploaded = new Map((await this.listParts(bucket, key, uploadId)).map((p) => [p.partNumber, p]));
    const md5s: Buffer[] = [];
    parts.forEach((part, i) => {
      const previous = parts[i - 1];
      if (previous && part.partNumber <= previous.partNumber) {
        throw new AwsError(
          'InvalidPartOrder',
          'The list of parts was not in ascending order. Parts must be ordered by part number.',
        );
      }
      const stored = uploaded.get(part.partNumber);
      if (!stored || unquote(stored.etag) !== unquote(part.etag)) {
        throw new AwsError(
          'InvalidPart',
          `One or more of the specified parts could not be found or its ETag did not match: part ${part.partNumber}.`,
          { PartNumber: part.partNumber, ETag: part.etag },
        );
      }
      if (i < parts.length - 1 && stored.size < MIN_PART_BYTES) {
        throw new AwsError(
          'EntityTooSmall',
          'Your proposed upload is smaller than the minimum allowed object size.',
          {
            PartNumber: part.partNumber,
            ProposedSize: stored.size,
            MinSizeAllowed: MIN_PART_BYTES,
          },
        );
      }
      md5s.push(Buffer.from(unquote(stored.etag), 'hex'));
    });
    async function* partData(): AsyncGenerator<Buffer> {
      for (const part of parts) {
        const opened = await openObjectFile(join(dir, partName(part.partNumber)));
        if (!opened)
          throw new AwsError('InvalidPart', `Part ${part.partNumber} disappeared while completing.`);
        if (opened.size === 0) {
          await opened.handle.close();
          continue;
        }
        yield* opened.handle.createReadStream({ start: 0, end: opened.size - 1, autoClose: true });
      }
    }
    const etag = `"${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${parts.length}"`;
    const written = await writeTempObject(
      this.layout.tmpDir,
      [partData()],
      () => ({
        key,
        etag,
        contentType: record.contentType,
        metadata: record.metadata,
        lastModified: new Date().toISOString(),
        parts: parts.length,
      }),
      this.layout.fsync,
    );
    await this.layout.place(written.path, this.layout.objectPath(bucket, key));
    await rm(dir, { recursive: true, force: true });
    return toObjectInfo(bucket, written.meta, written.size);
  }

  async abort(bucket: string, key: string, uploadId: string): Promise<void> {
    const { dir } = await this.load(bucket, key, uploadId);
    await rm(dir, { recursive: true, force: true });
  }
}
