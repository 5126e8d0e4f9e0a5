import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ListOptions, ListResult, ObjectInfo } from '../../ports/object-store.js';
import { compareUtf8, DIR_SUFFIX, decodeSegment, encodeSegment, OBJECT_SUFFIX } from './key-codec.js';
import { isMissing, readObjectMeta, type StoredMeta } from './object-file.js';

/**
 * ListObjects over the directory tree. Entries of one directory are sorted so that the walk
 * yields keys in UTF-8 byte order (a directory `b~d` sorts as `b/`), and whole directories
 * outside the prefix, before `startAfter`, or already rolled up into a common prefix are
 * skipped without being read.
 */

interface WalkState {
  readonly prefix: string;
  readonly after: string | undefined;
  /** Keys starting with this are skipped: they belong to a common prefix already returned. */
  skipPrefix: string | undefined;
}

interface Entry {
  readonly name: string;
  readonly segment: string;
  readonly isDir: boolean;
  readonly sortKey: string;
}

async function readEntries(dir: string): Promise<Entry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  const entries: Entry[] = [];
  for (const name of names) {
    const isDir = name.endsWith(DIR_SUFFIX);
    if (!isDir && !name.endsWith(OBJECT_SUFFIX)) continue;
    const segment = decodeSegment(name.slice(0, -2));
    entries.push({ name, segment, isDir, sortKey: isDir ? `${segment}/` : segment });
  }
  return entries.sort((a, b) => compareUtf8(a.sortKey, b.sortKey));
}

async function* walk(dir: string, keyPrefix: string, state: WalkState): AsyncGenerator<[string, string]> {
  for (const entry of await readEntries(dir)) {
    const key = keyPrefix + entry.sortKey;
    if (state.skipPrefix !== undefined && key.startsWith(state.skipPrefix)) continue;
    if (!key.startsWith(state.prefix) && !(entry.isDir && state.prefix.startsWith(key))) continue;
    if (entry.isDir) {
      const after = state.after;
      if (after !== undefined && !after.startsWith(key) && compareUtf8(key, after) < 0) continue;
      yield* walk(join(dir, entry.name), key, state);
    } else {
      if (state.after !== undefined && compareUtf8(key, state.after) <= 0) continue;
      yield [key, join(dir, entry.name)];
    }
  }
}

/** The deepest directory every key of `prefix` lives under, and the key prefix it stands for. */
function startingPoint(bucketDir: string, prefix: string): [string, string] {
  const segments = prefix.split('/');
  segments.pop();
  const dir = join(bucketDir, ...segments.map((s) => encodeSegment(s) + DIR_SUFFIX));
  return [dir, segments.length > 0 ? `${segments.join('/')}/` : ''];
}

/** Lists a bucket directory; `toInfo` turns a trailer into the port's ObjectInfo. */
export async function listBucketDir(
  bucketDir: string,
  options: ListOptions,
  toInfo: (meta: StoredMeta, size: number) => ObjectInfo,
): Promise<ListResult> {
  const prefix = options.prefix ?? '';
  const delimiter = options.delimiter || undefined;
  const maxKeys = Math.max(0, Math.min(options.maxKeys ?? 1000, 1000));
  const state: WalkState = { prefix, after: options.startAfter || undefined, skipPrefix: undefined };
  // Continuing after a common prefix skips every key rolled up into it.
  if (delimiter && state.after?.startsWith(prefix) && state.after.endsWith(delimiter)) {
    const rest = state.after.slice(prefix.length);
    if (rest.indexOf(delimiter) === rest.length - delimiter.length) state.skipPrefix = state.after;
  }
  const objects: ObjectInfo[] = [];
  const commonPrefixes: string[] = [];
  let isTruncated = false;
  let lastKey: string | undefined;
  const [dir, dirKey] = startingPoint(bucketDir, prefix.includes('\0') ? '' : prefix);
  for await (const [key, path] of walk(dir, dirKey, state)) {
    const rest = key.slice(prefix.length);
    const at = delimiter ? rest.indexOf(delimiter) : -1;
    if (objects.length + commonPrefixes.length >= maxKeys) {
      isTruncated = true;
      break;
    }
    if (delimiter && at >= 0) {
      const common = prefix + rest.slice(0, at + delimiter.length);
      commonPrefixes.push(common);
      state.skipPrefix = common;
      lastKey = common;
      continue;
    }
    const stored = await readObjectMeta(path);
    if (!stored) continue; // deleted while we listed
    objects.push(toInfo(stored.meta, stored.size));
    lastKey = key;
  }
  return { objects, commonPrefixes, isTruncated, ...(lastKey !== undefined && { lastKey }) };
}
