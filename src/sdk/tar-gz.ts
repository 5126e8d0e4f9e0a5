import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * A minimal ustar writer for `sourcedir.tar.gz`: regular files only, paths relative to the
 * archive root, as the SageMaker Python SDK packs a `source_dir`. The SDK may import only the
 * AWS clients and Node built-ins, hence no tar package.
 */

const block = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new Error(`path too long for a tar archive: ${path}`);
}

function header(path: string, size: number, mode: number, mtime: number): Buffer {
  const h = Buffer.alloc(block);
  const { name, prefix } = splitName(path);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(mtime / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\u000000', 257, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** Every regular file under `dir`, as archive paths with `/`, sorted for a stable archive. */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/**
 * Packs a directory's files (or one file, at the archive root) into a gzip'd tar archive.
 */
export function tarGz(source: string): Buffer {
  const isDir = statSync(source).isDirectory();
  const entries = isDir
    ? filesUnder(source).map((path) => ({ path, file: join(source, path) }))
    : [{ path: basename(source), file: source }];
  const parts: Buffer[] = [];
  for (const { path, file } of entries) {
    const stat = statSync(file);
    const data = readFileSync(file);
    parts.push(header(path, data.length, stat.mode, stat.mtimeMs), data);
    const pad = (block - (data.length % block)) % block;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(block * 2));
  return gzipSync(Buffer.concat(parts));
}
