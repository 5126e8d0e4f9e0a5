import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar';
import type { ObjectStore } from '../ports/object-store.js';

/** Moving data between the object store and a job's working directory. */

export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** `s3://bucket/key…` → bucket and key. Throws a ClientError-style message otherwise. */
export function parseS3Uri(uri: string): S3Location {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new Error(`'${uri}' is not an s3:// URI`);
  return { bucket: m[1]!, key: m[2]! };
}

/** Joins a relative path under a root, refusing anything that would land outside it. */
export function safeJoin(root: string, rel: string): string {
  const target = resolve(root, rel);
  const base = resolve(root);
  if (rel.split(/[\\/]/).includes('..') || (target !== base && !target.startsWith(base + sep))) {
    throw new Error(`refusing path '${rel}': it would be written outside ${base}`);
  }
  return target;
}

async function downloadObject(store: ObjectStore, loc: S3Location, dest: string): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const { body } = await store.getObject(loc.bucket, loc.key);
  await pipeline(body, createWriteStream(dest));
}

/** Every key under a prefix, following pagination. */
export async function listAllKeys(store: ObjectStore, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let startAfter: string | undefined;
  for (;;) {
    const page = await store.listObjects(bucket, { prefix, startAfter, maxKeys: 1000 });
    keys.push(...page.objects.map((o) => o.key));
    if (!page.isTruncated || !page.lastKey) return keys;
    startAfter = page.lastKey;
  }
}

/**
 * Downloads a channel (S3Prefix or ManifestFile) into `destDir`, keeping each key's path
 * below the prefix, as SageMaker does. Returns the number of files.
 */
export async function downloadChannel(
  store: ObjectStore,
  source: { S3DataType: string; S3Uri: string },
  destDir: string,
): Promise<number> {
  await mkdir(destDir, { recursive: true });
  const loc = parseS3Uri(source.S3Uri);
  if (source.S3DataType === 'ManifestFile') {
    const { body } = await store.getObject(loc.bucket, loc.key);
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    const manifest = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (!Array.isArray(manifest) || typeof manifest[0]?.prefix !== 'string') {
      throw new Error(`manifest ${source.S3Uri} must be a JSON list starting with {"prefix": "s3://…"}`);
    }
    const prefix = parseS3Uri(manifest[0].prefix as string);
    const entries = manifest.slice(1).filter((e): e is string => typeof e === 'string');
    for (const rel of entries) {
      await downloadObject(store, { bucket: prefix.bucket, key: prefix.key + rel }, safeJoin(destDir, rel));
    }
    return entries.length;
  }
  if (source.S3DataType !== 'S3Prefix') {
    throw new Error(`S3DataType ${source.S3DataType} is not supported in File mode`);
  }
  const keys = await listAllKeys(store, loc.bucket, loc.key);
  if (keys.length === 0) throw new Error(`no objects found under ${source.S3Uri}`);
  let count = 0;
  for (const key of keys) {
    if (key.endsWith('/')) continue; // "folder" marker objects
    await downloadObject(
      store,
      { bucket: loc.bucket, key },
      safeJoin(destDir, pathBelowPrefix(loc.key, key)),
    );
    count++;
  }
  return count;
}

/**
 * Where an object lands below a channel directory: its key below the prefix when the prefix
 * names a folder (`data/train` or `data/train/` → `x.csv` for `data/train/x.csv`); from its
 * last `/` otherwise (`data/tr` → `train/x.csv`; an exact match → its file name).
 */
export function pathBelowPrefix(prefix: string, key: string): string {
  const rest = key.slice(prefix.length);
  if (prefix === '' || prefix.endsWith('/')) return rest;
  if (rest.startsWith('/')) return rest.slice(1);
  return key.slice(prefix.lastIndexOf('/') + 1);
}

/** Downloads everything below `s3Uri`, read as a folder, into `destDir`; 0 when there is nothing. */
export async function downloadFolder(store: ObjectStore, s3Uri: string, destDir: string): Promise<number> {
  const loc = parseS3Uri(s3Uri);
  const prefix = loc.key === '' || loc.key.endsWith('/') ? loc.key : `${loc.key}/`;
  await mkdir(destDir, { recursive: true });
  const keys = (await listAllKeys(store, loc.bucket, prefix)).filter((k) => !k.endsWith('/'));
  for (const key of keys) {
    await downloadObject(store, { bucket: loc.bucket, key }, safeJoin(destDir, key.slice(prefix.length)));
  }
  return keys.length;
}

/** Uploads every file below `dir` to `s3Uri` + its relative path. */
export async function uploadDirectory(store: ObjectStore, dir: string, s3Uri: string): Promise<number> {
  const loc = parseS3Uri(s3Uri);
  const prefix = loc.key === '' || loc.key.endsWith('/') ? loc.key : `${loc.key}/`;
  let count = 0;
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile()) continue;
    const full = join(e.parentPath, e.name);
    const rel = relative(dir, full).split(sep).join('/');
    await store.putObject(loc.bucket, prefix + rel, createReadStream(full));
    count++;
  }
  return count;
}

/** Packs a directory's contents (not the directory itself) into a tar.gz and uploads it. */
export async function uploadTarGz(store: ObjectStore, dir: string, s3Uri: string): Promise<void> {
  const loc = parseS3Uri(s3Uri);
  const files = (await stat(dir).catch(() => undefined)) ? await readdir(dir) : [];
  const tmp = join(
    tmpdir(),
    `lathe-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.tar.gz`,
  );
  try {
    if (files.length > 0) await tar.c({ gzip: true, file: tmp, cwd: dir, portable: true }, files);
    else await writeFile(tmp, gzipSync(Buffer.alloc(1024))); // an empty archive: two zero blocks
    await store.putObject(loc.bucket, loc.key, createReadStream(tmp), { contentType: 'application/x-tar' });
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Unpacks a tar(.gz) into `destDir`, refusing the whole archive if any member is absolute,
 * has a `..` segment, or is a link (zip-slip).
 */
export async function extractTarSafely(archive: string, destDir: string): Promise<void> {
  const problems: string[] = [];
  await tar.t({
    file: archive,
    onReadEntry: (entry) => {
      const p = entry.path;
      if (p.startsWith('/') || /^[A-Za-z]:/.test(p) || p.split(/[\\/]/).includes('..')) {
        problems.push(`member '${p}' would be written outside the target directory`);
      } else if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
        problems.push(`member '${p}' is a link, which is not allowed`);
      }
    },
  });
  if (problems.length > 0) throw new Error(`unsafe archive: ${problems.slice(0, 3).join('; ')}`);
  await mkdir(destDir, { recursive: true });
  await tar.x({ file: archive, cwd: destDir, strict: true, preservePaths: false });
}

/** Downloads one object to a local file. */
export async function downloadToFile(store: ObjectStore, s3Uri: string, dest: string): Promise<void> {
  await downloadObject(store, parseS3Uri(s3Uri), dest);
}
