import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';

/**
 * S3 needs a body's length before it is sent, and a stream of unknown length would be sent
 * half before a checksum failure shows. Spooling first gives both: the length, and a body
 * that failed verification never reaches the server. Small bodies stay in memory.
 */
export interface Spooled {
  /** A fresh stream (or buffer) of the spooled bytes. */
  readonly body: Buffer | Readable;
  readonly length: number;
  cleanup(): Promise<void>;
}

const IN_MEMORY_LIMIT = 8 * 1024 * 1024;

export async function spool(source: Readable | Buffer): Promise<Spooled> {
  if (Buffer.isBuffer(source)) return { body: source, length: source.length, cleanup: async () => undefined };
  const chunks: Buffer[] = [];
  let length = 0;
  let file: { dir: string; path: string; out: WriteStream } | undefined;
  try {
    for await (const chunk of source) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      length += buf.length;
      if (!file && length > IN_MEMORY_LIMIT) {
        const dir = await mkdtemp(join(tmpdir(), 'lathe-spool-'));
        const path = join(dir, 'body');
        file = { dir, path, out: createWriteStream(path) };
        for (const held of chunks) file.out.write(held);
        chunks.length = 0;
      }
      if (file) {
        if (!file.out.write(buf))
          await new Promise<void>((resolve) => file?.out.once('drain', () => resolve()));
      } else chunks.push(buf);
    }
    if (!file) return { body: Buffer.concat(chunks), length, cleanup: async () => undefined };
    file.out.end();
    await finished(file.out);
  } catch (error) {
    if (file) {
      file.out.destroy();
      await rm(file.dir, { recursive: true, force: true });
    }
    throw error;
  }
  const { dir, path } = file;
  return {
    body: createReadStream(path),
    length,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
