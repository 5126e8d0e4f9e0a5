import type { CsrMatrix } from './dmatrix.js';
import { ClientError } from './errors.js';
import { INVALID, parseNumber } from './number-parser.js';

/** One libsvm file parsed into CSR form. */
export interface ParsedLibsvm {
  readonly features: CsrMatrix;
  readonly labels: Float32Array;
  /** Present when some row wrote `label:weight`. */
  readonly weights?: Float32Array;
  /** Per-row `qid:` values, when the file has them. */
  readonly qids?: Float64Array;
}

/** A growable typed array (doubling), to avoid boxing values in JS arrays. */
class Grow<T extends Float32Array | Float64Array | Uint32Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

/**
 * Parses libsvm text (`<label>[:<weight>] [qid:<q>] <index>:<value> ...`, `#` comments) in one
 * pass. Feature indexes are used as given, as libxgboost 1.7's own libsvm reader does
 * (`indexing_mode=0`): 1-based files simply leave column 0 empty. Throws ClientError naming
 * `file` and the line number on malformed rows.
 */
export function parseLibsvm(buf: Uint8Array, file: string): ParsedLibsvm {
  const n = buf.length;
  const guess = Math.max(16, n >> 3);
  const indices = new Grow(new Uint32Array(guess), (k) => new Uint32Array(k));
  const values = new Grow(new Float32Array(guess), (k) => new Float32Array(k));
  const labels = new Grow(new Float32Array(1024), (k) => new Float32Array(k));
  const weights = new Grow(new Float32Array(1024), (k) => new Float32Array(k));
  const qids = new Grow(new Float64Array(1024), (k) => new Float64Array(k));
  const indptr: number[] = [0];
  let hasWeights = false;
  let maxIndex = -1;
  let line = 0;
  let pos = 0;
  const bad = (msg: string): ClientError => new ClientError(`${file} line ${line}: ${msg}`);
  while (pos < n) {
    line++;
    let end = buf.indexOf(10, pos);
    if (end === -1) end = n;
    const next = end + 1;
    const hash = buf.indexOf(35, pos);
    if (hash !== -1 && hash < end) end = hash;
    let token = 0;
    let i = pos;
    while (i < end) {
      while (i < end && (buf[i] === 32 || buf[i] === 9 || buf[i] === 13)) i++;
      if (i >= end) break;
      const start = i;
      let colon = -1;
      while (i < end && buf[i] !== 32 && buf[i] !== 9 && buf[i] !== 13) {
        if (buf[i] === 58 && colon < 0) colon = i;
        i++;
      }
      const text = () => Buffer.from(buf.subarray(start, i)).toString('utf8');
      if (token === 0) {
        const label = parseNumber(buf, start, colon < 0 ? i : colon);
        if (label === INVALID || Number.isNaN(label)) throw bad(`label '${text()}' is not a number`);
        labels.push(label);
        let w = 1;
        if (colon >= 0) {
          const wv = parseNumber(buf, colon + 1, i);
          if (wv === INVALID || Number.isNaN(wv)) throw bad(`weight in '${text()}' is not a number`);
          w = wv;
          hasWeights = true;
        }
        weights.push(w);
      } else if (colon < 0) {
        throw bad(`'${text()}' is not an index:value pair`);
      } else if (token === 1 && colon - start === 3 && buf[start] === 113 && buf[start + 1] === 105) {
        const q = parseNumber(buf, colon + 1, i);
        if (q === INVALID || !Number.isInteger(q)) throw bad(`'${text()}' has a malformed qid`);
        if (qids.length !== labels.length - 1) throw bad('qid: is given on some rows but not others');
        qids.push(q);
      } else {
        const index = parseNumber(buf, start, colon);
        if (index === INVALID || !Number.isInteger(index) || index < 0 || index > 0xfffffffe) {
          throw bad(`'${text()}' has a malformed feature index`);
        }
        const value = parseNumber(buf, colon + 1, i);
        if (value === INVALID) throw bad(`'${text()}' has a malformed value`);
        indices.push(index);
        values.push(value);
        if (index > maxIndex) maxIndex = index;
      }
      token++;
    }
    if (token > 0) {
      if (qids.length > 0 && qids.length !== labels.length)
        throw bad('qid: is given on some rows but not others');
      indptr.push(indices.length);
    }
    pos = next;
  }
  if (labels.length === 0) throw new ClientError(`${file}: no data rows`);
  return {
    features: {
      kind: 'csr',
      rows: labels.length,
      cols: maxIndex + 1,
      indptr: BigUint64Array.from(indptr, (x) => BigInt(x)),
      indices: indices.view(),
      values: values.view(),
    },
    labels: labels.view(),
    weights: hasWeights ? weights.view() : undefined,
    qids: qids.length > 0 ? qids.view() : undefined,
  };
}
