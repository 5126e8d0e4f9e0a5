import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { sleep } from './poll.js';

/** `s3://bucket/key` as GetObject's Bucket and Key. */
export function parseS3Uri(uri: string): { Bucket: string; Key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new Error(`not an S3 URI: ${uri}`);
  return { Bucket: m[1]!, Key: m[2]! };
}

/** Downloads an object (`s3://bucket/key`) to `file`, by default in a fresh temp dir; answers the path. */
export async function downloadObject(
  s3: S3Client,
  uri: string,
  file = join(mkdtempSync(join(tmpdir(), 'lathe-dl-')), 'model.tar.gz'),
): Promise<string> {
  const obj = await s3.send(new GetObjectCommand(parseS3Uri(uri)));
  writeFileSync(file, Buffer.from(await obj.Body!.transformToByteArray()));
  return file;
}

/** The object's text, or undefined while it does not exist (NoSuchKey), as the SDKs poll. */
export async function tryGetText(s3: S3Client, uri: string): Promise<string | undefined> {
  try {
    const obj = await s3.send(new GetObjectCommand(parseS3Uri(uri)));
    return await obj.Body!.transformToString();
  } catch (e) {
    if ((e as { name?: string }).name === 'NoSuchKey') return undefined;
    throw e;
  }
}

/** Polls until one of the objects exists; answers which and its text. */
export async function pollForObject(
  s3: S3Client,
  uris: readonly string[],
  timeoutMs = 60_000,
): Promise<{ uri: string; text: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const uri of uris) {
      const text = await tryGetText(s3, uri);
      if (text !== undefined) return { uri, text };
    }
    if (Date.now() > deadline) throw new Error(`none of ${uris.join(', ')} appeared`);
    await sleep(200);
  }
}
