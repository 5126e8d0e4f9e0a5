import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { AwsError } from '../../errors/aws-error.js';
import type { ErrorCode } from '../../errors/catalog.js';
import type {
  BucketInfo,
  ListResult,
  ObjectInfo,
  ObjectStore,
  PartInfo,
  PutOptions,
  UploadInfo,
} from '../../ports/object-store.js';
import { DEFAULT_CONTENT_TYPE } from './fs-layout.js';
import { compareUtf8 } from './key-codec.js';
import { toAwsError } from './s3-errors.js';
import { type Spooled, spool } from './spool.js';

/** Where and how to reach an S3-compatible server. */
export interface S3ObjectStoreOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** `/<bucket>/<key>` URLs (MinIO, Lathe) rather than `<bucket>.host`; default true. */
  readonly forcePathStyle?: boolean;
}

type Sdk = typeof import('@aws-sdk/client-s3');

/**
 * The object store on an S3-compatible server through `@aws-sdk/client-s3`, loaded on first
 * use so the embedded default never loads it. Listings carry no content type or user
 * metadata (S3 does not return them there): `contentType` is S3's default and `metadata` empty.
 */
export function createS3ObjectStore(options: S3ObjectStoreOptions): ObjectStore {
  let loaded: Promise<{ sdk: Sdk; client: S3Client }> | undefined;
  const connect = () =>
    (loaded ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        endpoint: options.endpoint,
        region: options.region,
        credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
        forcePathStyle: options.forcePathStyle ?? true,
      }),
    })));

  /** Runs one SDK call, turning its errors into the port's. */
  async function call<T>(run: (sdk: Sdk, client: S3Client) => Promise<T>, notFound?: ErrorCode): Promise<T> {
    const { sdk, client } = await connect();
    try {
      return await run(sdk, client);
    } catch (error) {
      throw toAwsError(error, notFound);
    }
  }

  async function withSpooled<T>(body: Readable | Buffer, run: (spooled: Spooled) => Promise<T>): Promise<T> {
    const spooled = await spool(body);
    try {
      return await run(spooled);
    } finally {
      await spooled.cleanup();
    }
  }

  const store: ObjectStore = {
    async createBucket(name) {
      // S3 in us-east-1 answers 200 for a bucket you already own; the port says it exists.
      if ((await store.listBuckets()).some((b) => b.name === name)) {
        throw new AwsError('BucketAlreadyOwnedByYou', `You already own the bucket ${name}.`);
      }
      await call((sdk, c) => c.send(new sdk.CreateBucketCommand({ Bucket: name })));
    },
    async deleteBucket(name) {
      await call((sdk, c) => c.send(new sdk.DeleteBucketCommand({ Bucket: name })), 'NoSuchBucket');
    },
    async headBucket(name) {
      await call((sdk, c) => c.send(new sdk.HeadBucketCommand({ Bucket: name })), 'NoSuchBucket');
      const listed = (await store.listBuckets()).find((b) => b.name === name);
      return { name, creationDate: listed?.creationDate ?? new Date(0) };
    },
    async listBuckets() {
      const out = await call((sdk, c) => c.send(new sdk.ListBucketsCommand({})));
      return (out.Buckets ?? []).map(
        (b): BucketInfo => ({ name: b.Name ?? '', creationDate: b.CreationDate ?? new Date(0) }),
      );
    },

    putObject(bucket, key, body, put: PutOptions = {}) {
      return withSpooled(body, async ({ body: data, length }) => {
        const out = await call((sdk, c) =>
          c.send(
            new sdk.PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: data,
              ContentLength: length,
              ContentType: put.contentType ?? DEFAULT_CONTENT_TYPE,
              Metadata: put.metadata ?? {},
            }),
          ),
        );
        return {
          bucket,
          key,
          size: length,
          etag: out.ETag ?? '',
          lastModified: new Date(),
          contentType: put.contentType ?? DEFAULT_CONTENT_TYPE,
          metadata: { ...put.metadata },
        };
      });
    },

    async getObject(bucket, key, range) {
      const out = await call(
        (sdk, c) =>
          c.send(
            new sdk.GetObjectCommand({
              Bucket: bucket,
              Key: key,
              ...(range && { Range: `bytes=${range.start}-${range.end}` }),
            }),
          ),
        'NoSuchKey',
      );
      const total = /\/(\d+)$/.exec(out.ContentRange ?? '')?.[1];
      const info: ObjectInfo = {
        bucket,
        key,
        size: total !== undefined ? Number(total) : (out.ContentLength ?? 0),
        etag: out.ETag ?? '',
        lastModified: out.LastModified ?? new Date(0),
        contentType: out.ContentType ?? DEFAULT_CONTENT_TYPE,
        metadata: out.Metadata ?? {},
      };
      return { info, body: out.Body as Readable };
    },

    async headObject(bucket, key) {
      try {
        const out = await call((sdk, c) => c.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key })));
        return {
          bucket,
          key,
          size: out.ContentLength ?? 0,
          etag: out.ETag ?? '',
          lastModified: out.LastModified ?? new Date(0),
          contentType: out.ContentType ?? DEFAULT_CONTENT_TYPE,
          metadata: out.Metadata ?? {},
        };
      } catch (error) {
        // A bodiless 404 does not say whether the bucket or the key is missing.
        if ((error as { code?: string }).code === 'NoSuchKey') await store.headBucket(bucket);
        throw error;
      }
    },

    async deleteObject(bucket, key) {
      await call(
        (sdk, c) => c.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key })),
        'NoSuchBucket',
      );
    },

    async listObjects(bucket, list = {}): Promise<ListResult> {
      const out = await call(
        (sdk, c) =>
          c.send(
            new sdk.ListObjectsV2Command({
              Bucket: bucket,
              ...(list.prefix && { Prefix: list.prefix }),
              ...(list.delimiter && { Delimiter: list.delimiter }),
              ...(list.startAfter && { StartAfter: list.startAfter }),
              ...(list.maxKeys !== undefined && { MaxKeys: list.maxKeys }),
            }),
          ),
        'NoSuchBucket',
      );
      const objects = (out.Contents ?? []).map(
        (o): ObjectInfo => ({
          bucket,
          key: o.Key ?? '',
          size: o.Size ?? 0,
          etag: o.ETag ?? '',
          lastModified: o.LastModified ?? new Date(0),
          contentType: DEFAULT_CONTENT_TYPE,
          metadata: {},
        }),
      );
      // Continuing after a common prefix: S3 would return that prefix again.
      const commonPrefixes = (out.CommonPrefixes ?? [])
        .map((p) => p.Prefix ?? '')
        .filter((p) => p !== list.startAfter);
      const last = [objects.at(-1)?.key, commonPrefixes.at(-1)]
        .filter((k): k is string => k !== undefined)
        .sort(compareUtf8)
        .at(-1);
      return {
        objects,
        commonPrefixes,
        isTruncated: out.IsTruncated ?? false,
        ...(last !== undefined && { lastKey: last }),
      };
    },

    async copyObject(source, target, put) {
      const copySource = `${source.bucket}/${source.key.split('/').map(encodeURIComponent).join('/')}`;
      await call(
        (sdk, c) =>
          c.send(
            new sdk.CopyObjectCommand({
              Bucket: target.bucket,
              Key: target.key,
              CopySource: copySource,
              ...(put
                ? {
                    MetadataDirective: 'REPLACE',
                    ContentType: put.contentType ?? DEFAULT_CONTENT_TYPE,
                    Metadata: put.metadata ?? {},
                  }
                : { MetadataDirective: 'COPY' }),
            }),
          ),
        'NoSuchKey',
      );
      return store.headObject(target.bucket, target.key);
    },

    async createMultipartUpload(bucket, key, put = {}) {
      const out = await call((sdk, c) =>
        c.send(
          new sdk.CreateMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            ContentType: put.contentType ?? DEFAULT_CONTENT_TYPE,
            Metadata: put.metadata ?? {},
          }),
        ),
      );
      return out.UploadId ?? '';
    },

    uploadPart(bucket, key, uploadId, partNumber, body) {
      return withSpooled(body, async ({ body: data, length }) => {
        const out = await call(
          (sdk, c) =>
            c.send(
              new sdk.UploadPartCommand({
                Bucket: bucket,
                Key: key,
                UploadId: uploadId,
                PartNumber: partNumber,
                Body: data,
                ContentLength: length,
              }),
            ),
          'NoSuchUpload',
        );
        return { partNumber, etag: out.ETag ?? '', size: length };
      });
    },

    async listParts(bucket, key, uploadId) {
      const parts: PartInfo[] = [];
      let marker: string | undefined;
      for (;;) {
        const out = await call(
          (sdk, c) =>
            c.send(
              new sdk.ListPartsCommand({
                Bucket: bucket,
                Key: key,
                UploadId: uploadId,
                ...(marker && { PartNumberMarker: marker }),
              }),
            ),
          'NoSuchUpload',
        );
        for (const p of out.Parts ?? []) {
          parts.push({ partNumber: p.PartNumber ?? 0, etag: p.ETag ?? '', size: p.Size ?? 0 });
        }
        if (!out.IsTruncated || !out.NextPartNumberMarker) return parts;
        marker = out.NextPartNumberMarker;
      }
    },

    async completeMultipartUpload(bucket, key, uploadId, parts) {
      await call(
        (sdk, c) =>
          c.send(
            new sdk.CompleteMultipartUploadCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
            }),
          ),
        'NoSuchUpload',
      );
      return store.headObject(bucket, key);
    },

    async abortMultipartUpload(bucket, key, uploadId) {
      await call(
        (sdk, c) =>
          c.send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })),
        'NoSuchUpload',
      );
    },

    async listMultipartUploads(bucket, options = {}) {
      const uploads: UploadInfo[] = [];
      let keyMarker: string | undefined;
      let uploadIdMarker: string | undefined;
      for (;;) {
        const out = await call(
          (sdk, c) =>
            c.send(
              new sdk.ListMultipartUploadsCommand({
                Bucket: bucket,
                ...(options.prefix ? { Prefix: options.prefix } : {}),
                ...(keyMarker ? { KeyMarker: keyMarker } : {}),
                ...(uploadIdMarker ? { UploadIdMarker: uploadIdMarker } : {}),
              }),
            ),
          'NoSuchBucket',
        );
        for (const u of out.Uploads ?? []) {
          uploads.push({
            key: u.Key ?? '',
            uploadId: u.UploadId ?? '',
            initiated: u.Initiated ?? new Date(0),
          });
        }
        if (!out.IsTruncated) return uploads;
        keyMarker = out.NextKeyMarker;
        uploadIdMarker = out.NextUploadIdMarker;
      }
    },

    async close() {
      if (loaded) (await loaded).client.destroy();
    },
  };
  return store;
}
