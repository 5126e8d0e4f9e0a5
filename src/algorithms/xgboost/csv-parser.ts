import type { DenseMatrix } from './dmatrix.js';
import { ClientError } from './errors.js';
import { INVALID, parseNumber } from './number-parser.js';

/** One CSV file parsed the SageMaker way: label first, optional weight second, then features. */
export interface ParsedCsv {
  readonly features: DenseMatrix;
  readonly labels: Float32Array;
  readonly weights?: Float32Array;
}

/**
 * Parses SageMaker training CSV (no header; column 0 = label; with `weights`, column 1 = instance
 * weight; empty cells = missing) in one pass over the bytes into a row-major Float32Array.
 * Blank lines are skipped. Throws ClientError naming `file` and the line number on malformed rows.
 */
export function parseCsv(buf: Uint8Array, file: string, options: { weights?: boolean } = {}): ParsedCsv {
  const lead = options.weights ? 2 : 1;
  const n = buf.length;
  // Upper bound on rows, so the matrix is allocated once.
  let maxRows = 1;
  for (let p = buf.indexOf(10); p !== -1; p = buf.indexOf(10, p + 1)) maxRows++;

  let cols = -1;
  let values = new Float32Array(0);
  const labels = new Float32Array(maxRows);
  const weights = options.weights ? new Float32Array(maxRows) : undefined;
  let rows = 0;
  let line = 0;
  let pos = 0;
  while (pos < n) {
    line++;
    let end = buf.indexOf(10, pos);
    if (end === -1) end = n;
    const next = end + 1;
    if (end > pos && buf[end - 1] === 13) end--;
    if (isBlank(buf, pos, end)) {
      pos = next;
      continue;
    }
    if (cols < 0) {
      cols = countFields(buf, pos, end);
      if (cols <= lead) {
        throw new ClientError(
          `${file} line ${line}: expected a label${options.weights ? ', a weight' : ''} and at least one feature column, found ${cols} column(s)`,
        );
      }
      values = new Float32Array(maxRows * (cols - lead));
    }
    const width = cols - lead;
    const rowBase = rows * width;
    let field = 0;
    let start = pos;
    for (let i = pos; i <= end; i++) {
      if (i < end && buf[i] !== 44) continue;
      if (field >= cols) throw ragged(file, line, cols, countFields(buf, pos, end));
      const v = parseNumber(buf, start, i);
      if (v === INVALID) {
        const text = Buffer.from(buf.subarray(start, i)).toString('utf8').trim();
        const hint = line === 1 ? ' (SageMaker CSV has no header row)' : '';
        throw new ClientError(
          `${file} line ${line}, column ${field + 1}: '${text.slice(0, 40)}' is not a number${hint}`,
        );
      }
      if (field === 0) {
        if (Number.isNaN(v)) throw new ClientError(`${file} line ${line}: the label (column 1) is missing`);
        labels[rows] = v;
      } else if (field < lead) {
        if (Number.isNaN(v)) throw new ClientError(`${file} line ${line}: the weight (column 2) is missing`);
        weights![rows] = v;
      } else {
        values[rowBase + field - lead] = v;
      }
      field++;
      start = i + 1;
    }
    if (field !== cols) throw ragged(file, line, cols, field);
    rows++;
    pos = next;
  }
  if (rows === 0) throw new ClientError(`${file}: no data rows`);
  const width = cols - lead;
  return {
    features: { kind: 'dense', rows, cols: width, values: values.subarray(0, rows * width) },
    labels: labels.subarray(0, rows),
    weights: weights?.subarray(0, rows),
  };
}

function ragged(file: string, line: number, expected: number, found: number): ClientError {
  return new ClientError(
    `${file} line ${line}: expected ${expected} columns (as on the first row), found ${found}`,
  );
}

function isBlank(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 32 && buf[i] !== 9) return false;
  return true;
}

function countFields(buf: Uint8Array, start: number, end: number): number {
  let c = 1;
  for (let i = start; i < end; i++) if (buf[i] === 44) c++;
  return c;
}
