import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { ObjectStore } from '../../ports/object-store.js';
import { listAllKeys, parseS3Uri, pathBelowPrefix, type S3Location } from '../transfer.js';

const gunzipAsync = promisify(gunzip);

/** One input object of a transform job and the name its output takes (relative to the input prefix). */
export interface TransformInputObject extends S3Location {
  readonly relativeName: string;
}

export const s3UriOf = (loc: S3Location): string => `s3://${loc.bucket}/${loc.key}`;

async function readAll(store: ObjectStore, loc: S3Location): Promise<Buffer> {
  const { body } = await store.getObject(loc.bucket, loc.key);
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The input objects, in key order: every object under an S3Prefix, or those a manifest lists
 * (`[{"prefix": "s3://…/"}, "rel1", …]`, as for training channels). Throws a ClientError message.
 */
export async function listTransformInputs(
  store: ObjectStore,
  source: { readonly S3DataType: string; readonly S3Uri: string },
): Promise<TransformInputObject[]> {
  const loc = parseS3Uri(source.S3Uri);
  if (source.S3DataType === 'ManifestFile') {
    let manifest: unknown;
    try {
      manifest = JSON.parse((await readAll(store, loc)).toString('utf8')) as unknown;
    } catch (e) {
      throw new Error(`ClientError: cannot read the manifest ${source.S3Uri}: ${(e as Error).message}`);
    }
    const head = Array.isArray(manifest) ? (manifest[0] as { prefix?: unknown } | undefined) : undefined;
    if (!Array.isArray(manifest) || typeof head?.prefix !== 'string') {
      throw new Error(
        `ClientError: the manifest ${source.S3Uri} must be a JSON list starting with {"prefix": "s3://…"}`,
      );
    }
    const prefix = parseS3Uri(head.prefix);
    const entries = manifest.slice(1);
    const bad = entries.find((e) => typeof e !== 'string' || e === '' || e.split('/').includes('..'));
    if (bad !== undefined) {
      throw new Error(
        `ClientError: the manifest ${source.S3Uri} lists ${JSON.stringify(bad)}, not a relative key`,
      );
    }
    if (entries.length === 0) throw new Error(`ClientError: the manifest ${source.S3Uri} lists no objects`);
    return (entries as string[]).map((rel) => ({
      bucket: prefix.bucket,
      key: prefix.key + rel,
      relativeName: rel,
    }));
  }
  const keys = (await listAllKeys(store, loc.bucket, loc.key)).filter((k) => !k.endsWith('/'));
  if (keys.length === 0) throw new Error(`ClientError: no objects found under ${source.S3Uri}`);
  return keys.map((key) => ({ bucket: loc.bucket, key, relativeName: pathBelowPrefix(loc.key, key) }));
}

/** The bytes of an input object, gunzipped for CompressionType Gzip. */
export async function readTransformInput(
  store: ObjectStore,
  input: TransformInputObject,
  gzip: boolean,
): Promise<Buffer> {
  const data = await readAll(store, input);
  if (!gzip) return data;
  try {
    return await gunzipAsync(data);
  } catch (e) {
    throw new Error(
      `ClientError: ${s3UriOf(input)} could not be decompressed (CompressionType Gzip): ${(e as Error).message}`,
    );
  }
}
