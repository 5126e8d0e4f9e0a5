import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { type FileHandle, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * One object = one file: the bytes, then a JSON trailer with the metadata, its length and a
 * magic tag. Data and metadata are renamed into place together, so a reader that opened the
 * file sees one consistent version even while a writer replaces it.
 */

/** Metadata kept in an object file's trailer. */
export interface StoredMeta {
  readonly key: string;
  readonly etag: string;
  readonly contentType: string;
  readonly metadata: Record<string, string>;
  readonly lastModified: string;
  /** Number of parts for objects assembled by CompleteMultipartUpload. */
  readonly parts?: number;
}

const MAGIC = Buffer.from('LATHEOB1');
const FOOTER_BYTES = 4 + MAGIC.length;

/** A body to write: a stream, a buffer, or a sequence of them (multipart assembly). */
export type BodySource = Readable | Buffer | AsyncIterable<Buffer>;

export interface WrittenFile {
  readonly path: string;
  readonly size: number;
  readonly md5: Buffer;
  readonly meta: StoredMeta;
}

/**
 * Streams `sources` into a new temp file under `tmpDir`, appending the trailer built by
 * `makeMeta` from the MD5 and size. The temp file is removed on any error (including the
 * body stream failing a checksum); the caller renames it into place on success.
 */
export async function writeTempObject(
  tmpDir: string,
  sources: readonly BodySource[],
  makeMeta: (md5: Buffer, size: number) => StoredMeta,
  fsync = false,
): Promise<WrittenFile> {
  const path = join(tmpDir, `${randomBytes(12).toString('hex')}.tmp`);
  const hash = createHash('md5');
  let size = 0;
  let meta: StoredMeta | undefined;
  let md5 = Buffer.alloc(0);
  async function* content(): AsyncGenerator<Buffer> {
    for (const source of sources) {
      const chunks: AsyncIterable<Buffer> | Buffer[] = Buffer.isBuffer(source) ? [source] : source;
      for await (const chunk of chunks) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        hash.update(buf);
        size += buf.length;
        yield buf;
      }
    }
    md5 = hash.digest();
    meta = makeMeta(md5, size);
    const json = Buffer.from(JSON.stringify(meta), 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(json.length);
    yield Buffer.concat([json, len, MAGIC]);
  }
  try {
    await pipeline(content(), createWriteStream(path, { flags: 'wx' }));
    if (fsync) {
      const fh = await open(path, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
  } catch (error) {
    await unlink(path).catch(() => undefined);
    throw error;
  }
  // meta is set once the generator ran to its end, which pipeline guarantees on success.
  return { path, size, md5, meta: meta! };
}

/** An opened object file: its metadata and the handle its data is read from. */
export interface OpenedObject {
  readonly handle: FileHandle;
  readonly meta: StoredMeta;
  /** Size of the data, without the trailer. */
  readonly size: number;
  readonly mtime: Date;
}

/** Opens an object file and reads its trailer; undefined when the file does not exist. */
export async function openObjectFile(path: string): Promise<OpenedObject | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (stat.size < FOOTER_BYTES) throw new Error(`Object file ${path} is truncated.`);
    const footer = Buffer.alloc(FOOTER_BYTES);
    await handle.read(footer, 0, FOOTER_BYTES, stat.size - FOOTER_BYTES);
    if (!footer.subarray(4).equals(MAGIC)) throw new Error(`Object file ${path} has no trailer.`);
    const jsonLength = footer.readUInt32BE(0);
    const dataSize = stat.size - FOOTER_BYTES - jsonLength;
    if (dataSize < 0) throw new Error(`Object file ${path} has a corrupt trailer.`);
    const json = Buffer.alloc(jsonLength);
    await handle.read(json, 0, jsonLength, dataSize);
    const meta = JSON.parse(json.toString('utf8')) as StoredMeta;
    return { handle, meta, size: dataSize, mtime: stat.mtime };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Reads just the trailer of an object file and closes it. */
export async function readObjectMeta(path: string): Promise<{ meta: StoredMeta; size: number } | undefined> {
  const opened = await openObjectFile(path);
  if (!opened) return undefined;
  await opened.handle.close();
  return { meta: opened.meta, size: opened.size };
}

export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
