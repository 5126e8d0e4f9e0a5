import type { Readable } from 'node:stream';

/**
 * The object store port: S3's data model in domain verbs. Implementations throw `AwsError`
 * with S3's codes (NoSuchBucket, NoSuchKey, BucketNotEmpty, …) so the S3 API can answer
 * them unchanged. Both adapters (directory, S3-compatible server) pass
 * `src/testing/object-store-conformance.ts`.
 */
export interface ObjectInfo {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** Quoted, as S3 sends it: `"<md5 hex>"` or `"<md5 of md5s>-<parts>"`. */
  readonly etag: string;
  readonly lastModified: Date;
  readonly contentType: string;
  /** User metadata (`x-amz-meta-*`), keys lower-cased, without the prefix. */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface BucketInfo {
  readonly name: string;
  readonly creationDate: Date;
}

export interface PutOptions {
  readonly contentType?: string;
  readonly metadata?: Record<string, string>;
}

export interface ByteRange {
  /** Inclusive first byte. */
  readonly start: number;
  /** Inclusive last byte. */
  readonly end: number;
}

export interface ListOptions {
  readonly prefix?: string;
  readonly delimiter?: string;
  /** Exclusive: list keys after this one (ListObjectsV2 StartAfter / continuation). */
  readonly startAfter?: string;
  readonly maxKeys?: number;
}

export interface ListResult {
  readonly objects: readonly ObjectInfo[];
  readonly commonPrefixes: readonly string[];
  readonly isTruncated: boolean;
  /** The last key or common prefix returned; pass as `startAfter` for the next page. */
  readonly lastKey?: string;
}

export interface PartInfo {
  readonly partNumber: number;
  readonly etag: string;
  readonly size: number;
}

/** A multipart upload in progress. */
export interface UploadInfo {
  readonly key: string;
  readonly uploadId: string;
  readonly initiated: Date;
}

export interface ObjectStore {
  createBucket(name: string): Promise<void>;
  deleteBucket(name: string): Promise<void>;
  /** Throws NoSuchBucket when absent. */
  headBucket(name: string): Promise<BucketInfo>;
  listBuckets(): Promise<BucketInfo[]>;

  /** Atomic: readers see the old object or the whole new one, never a part. */
  putObject(bucket: string, key: string, body: Readable | Buffer, options?: PutOptions): Promise<ObjectInfo>;
  getObject(bucket: string, key: string, range?: ByteRange): Promise<{ info: ObjectInfo; body: Readable }>;
  headObject(bucket: string, key: string): Promise<ObjectInfo>;
  /** Deleting an absent key succeeds, as in S3. */
  deleteObject(bucket: string, key: string): Promise<void>;
  listObjects(bucket: string, options?: ListOptions): Promise<ListResult>;
  copyObject(
    source: { bucket: string; key: string },
    target: { bucket: string; key: string },
    options?: PutOptions,
  ): Promise<ObjectInfo>;

  createMultipartUpload(bucket: string, key: string, options?: PutOptions): Promise<string>;
  uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Readable | Buffer,
  ): Promise<PartInfo>;
  listParts(bucket: string, key: string, uploadId: string): Promise<PartInfo[]>;
  completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: readonly { partNumber: number; etag: string }[],
  ): Promise<ObjectInfo>;
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void>;
  /**
   * Uploads in progress (created, neither completed nor aborted), by key then initiation time;
   * `prefix` keeps the keys that start with it. Throws NoSuchBucket when the bucket is absent.
   */
  listMultipartUploads(bucket: string, options?: { prefix?: string }): Promise<UploadInfo[]>;

  close?(): Promise<void>;
}
