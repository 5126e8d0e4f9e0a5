import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type ParsedCsv, parseCsv } from './csv-parser.js';
import type { CsrMatrix, DenseMatrix, LabelledData } from './dmatrix.js';
import { ClientError } from './errors.js';
import { type ParsedLibsvm, parseLibsvm } from './libsvm-parser.js';

/** The two text formats Lathe's XGBoost reads. */
export type DataFormat = 'csv' | 'libsvm';

/** A channel's data ready for a DMatrix, and where it came from. */
export interface ChannelData extends LabelledData {
  readonly format: DataFormat;
  /** True when the format was sniffed because the channel had no ContentType. */
  readonly sniffed: boolean;
  readonly files: readonly string[];
}

/**
 * Maps a channel's `ContentType` to a format; undefined when absent (the caller sniffs).
 * Throws ClientError for content types this algorithm cannot read.
 */
export function formatOfContentType(contentType: string | undefined): DataFormat | undefined {
  if (contentType === undefined || contentType.trim() === '') return undefined;
  const [base = '', ...params] = contentType
    .toLowerCase()
    .split(';')
    .map((s) => s.trim());
  if (base === 'text/csv' || base === 'csv') {
    for (const p of params) {
      const [k, v] = p.split('=').map((s) => s.trim());
      if (k === 'label_size' && v !== '1') {
        throw new ClientError(`Content type '${contentType}': only label_size=1 is supported for text/csv`);
      }
    }
    return 'csv';
  }
  if (base === 'text/libsvm' || base === 'libsvm' || base === 'text/x-libsvm') return 'libsvm';
  throw new ClientError(
    `Content type '${contentType}' is not supported by the XGBoost algorithm; use 'text/csv' or 'text/libsvm'`,
  );
}

/** Guesses the format from the first non-empty line: a `:` in its second token means libsvm. */
export function sniffFormat(buf: Uint8Array): DataFormat {
  const text = Buffer.from(buf.subarray(0, Math.min(buf.length, 1 << 16))).toString('utf8');
  const first = text.split('\n').find((l) => l.trim() !== '') ?? '';
  const second = first.trim().split(/\s+/)[1];
  return second?.includes(':') ? 'libsvm' : 'csv';
}

/** Every regular file below `dir`, sorted by relative path, skipping hidden files and folders. */
export async function listDataFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      const s = e.isSymbolicLink() ? await stat(p) : e;
      if (s.isDirectory()) await walk(p);
      else if (s.isFile()) out.push(p);
    }
  };
  await walk(dir);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Reads every data file of a channel directory in one format: `ContentType` when given, else
 * sniffed from the first file. With `csvWeights`, CSV column 1 is the instance weight.
 */
export async function readChannel(
  dir: string,
  channel: string,
  contentType: string | undefined,
  options: { csvWeights?: boolean } = {},
): Promise<ChannelData> {
  let format = formatOfContentType(contentType);
  const files = await listDataFiles(dir);
  const parsed: (ParsedCsv | ParsedLibsvm)[] = [];
  let sniffed = false;
  for (const file of files) {
    const buf = await readFile(file);
    if (buf.length === 0) continue;
    if (format === undefined) {
      format = sniffFormat(buf);
      sniffed = true;
    }
    const name = `${channel}/${relative(dir, file)}`;
    parsed.push(
      format === 'csv' ? parseCsv(buf, name, { weights: options.csvWeights }) : parseLibsvm(buf, name),
    );
  }
  if (parsed.length === 0 || format === undefined) {
    throw new ClientError(`No data in the '${channel}' channel (no non-empty files found)`);
  }
  const merged =
    format === 'csv' ? mergeCsv(parsed as ParsedCsv[], channel) : mergeLibsvm(parsed as ParsedLibsvm[]);
  return { ...merged, format, sniffed, files };
}

function mergeCsv(parts: ParsedCsv[], channel: string): LabelledData {
  const first = parts[0]!;
  if (parts.length === 1) return first;
  const cols = first.features.cols;
  for (const p of parts) {
    if (p.features.cols !== cols) {
      throw new ClientError(
        `Files of the '${channel}' channel have different numbers of feature columns (${cols} and ${p.features.cols})`,
      );
    }
  }
  const features: DenseMatrix = {
    kind: 'dense',
    rows: parts.reduce((n, p) => n + p.features.rows, 0),
    cols,
    values: concatF32(parts.map((p) => p.features.values)),
  };
  const weights = first.weights ? concatF32(parts.map((p) => p.weights!)) : undefined;
  return { features, labels: concatF32(parts.map((p) => p.labels)), weights };
}

function mergeLibsvm(parts: ParsedLibsvm[]): LabelledData {
  const rows = parts.reduce((n, p) => n + p.features.rows, 0);
  const indptr = new BigUint64Array(rows + 1);
  let r = 0;
  let offset = 0n;
  for (const p of parts) {
    for (let i = 1; i <= p.features.rows; i++) indptr[r + i] = p.features.indptr[i]! + offset;
    r += p.features.rows;
    offset += BigInt(p.features.values.length);
  }
  const features: CsrMatrix = {
    kind: 'csr',
    rows,
    cols: Math.max(...parts.map((p) => p.features.cols)),
    indptr,
    indices: concatU32(parts.map((p) => p.features.indices)),
    values: concatF32(parts.map((p) => p.features.values)),
  };
  const anyWeights = parts.some((p) => p.weights);
  const weights = anyWeights
    ? concatF32(parts.map((p) => p.weights ?? new Float32Array(p.labels.length).fill(1)))
    : undefined;
  const anyQid = parts.some((p) => p.qids);
  if (anyQid && !parts.every((p) => p.qids))
    throw new ClientError('qid: is given in some files but not others');
  // Each file's groups stay separate even when the same qid ends one file and starts the next.
  const groups = anyQid ? concatU32(parts.map((p) => groupSizes(p.qids!))) : undefined;
  return { features, labels: concatF32(parts.map((p) => p.labels)), weights, groups };
}

/** Sizes of runs of equal consecutive qids, what XGDMatrixSetUIntInfo('group') expects. */
export function groupSizes(qids: Float64Array): Uint32Array {
  const sizes: number[] = [];
  for (let i = 0; i < qids.length; i++) {
    if (i > 0 && qids[i] === qids[i - 1]) sizes[sizes.length - 1]!++;
    else sizes.push(1);
  }
  return Uint32Array.from(sizes);
}

function concatF32(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function concatU32(parts: Uint32Array[]): Uint32Array {
  const out = new Uint32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
