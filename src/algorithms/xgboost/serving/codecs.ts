/**
 * Request decoding and response encoding for the built-in XGBoost algorithm's `/invocations`,
 * modelled on sagemaker-xgboost-container (algorithm mode, `serve_utils.py`, `encoder.py`,
 * `data_utils.get_content_type`, `serve.py`). Each behaviour notes the container code it follows;
 * deliberate differences are marked "Lathe:".
 */
import { INVALID, parseNumber } from '../number-parser.js';
import { type PyValue, pyJson, pyStr } from './python-format.js';

/** A typed failure the HTTP layer turns into a response. */
export interface InvocationError {
  readonly ok: false;
  readonly status: 204 | 400 | 406 | 415 | 500;
  readonly message: string;
}

/** Decoded request rows: dense, row-major, float32, NaN = missing. */
export interface DecodedRows {
  readonly ok: true;
  readonly rows: number;
  readonly cols: number;
  readonly values: Float32Array;
}

export type RequestFormat = 'csv' | 'libsvm' | 'json' | 'jsonlines';
export type ResponseFormat = 'text/csv' | 'application/json' | 'application/jsonlines';

const fail = (status: InvocationError['status'], message: string): InvocationError => ({
  ok: false,
  status,
  message,
});

const CONTAINER_TYPES =
  'csv, libsvm, parquet, recordio-protobuf, text/csv, text/libsvm, text/x-libsvm, application/x-parquet, application/x-recordio-protobuf';

/** Splits `type/sub; a=b; c=d` like Python's `cgi.parse_header`, lowercasing the type. */
function parseHeader(value: string): { type: string; params: Map<string, string> } {
  const [head = '', ...rest] = value.split(';');
  const params = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    params.set(
      p.slice(0, eq).trim().toLowerCase(),
      p
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1'),
    );
  }
  return { type: head.trim().toLowerCase(), params };
}

/**
 * The request format for a Content-Type, as `data_utils.get_content_type` decides it:
 * - absent → libsvm (the container's `get_content_type(None)` returns LIBSVM);
 * - `csv`, `text/csv`, `text/csv; label_size=1`, `text/csv; charset=utf-8` → csv; another
 *   `label_size` → 415. Lathe: `label_size=0` is also accepted (the container rejects it with
 *   "Optional parameter label_size must be equal to 1"); the payload never carries a label either way;
 * - `libsvm`, `text/libsvm`, `text/x-libsvm` → libsvm. Lathe: parameters such as `; charset=utf-8`
 *   are ignored (the container compares the whole header and answers 415);
 * - Lathe: `application/json` and `application/jsonlines` are decoded too (the container's
 *   algorithm mode answers 415 for them);
 * - anything else, including `application/x-recordio-protobuf` (not implemented), → 415.
 */
export function requestFormat(contentType: string | undefined): RequestFormat | InvocationError {
  if (contentType === undefined || contentType.trim() === '') return 'libsvm';
  const { type, params } = parseHeader(contentType);
  if (type === 'libsvm' || type === 'text/libsvm' || type === 'text/x-libsvm') return 'libsvm';
  if (type === 'csv' || type === 'text/csv') {
    const label = params.get('label_size');
    if (label !== undefined && label !== '1' && label !== '0') {
      return fail(
        415,
        `${contentType.toLowerCase()} is not an accepted csv ContentType. Optional parameter label_size must be equal to 1`,
      );
    }
    return 'csv';
  }
  if (type === 'application/json' || type === 'json') return 'json';
  if (type === 'application/jsonlines' || type === 'application/x-jsonlines' || type === 'jsonlines') {
    return 'jsonlines';
  }
  if (type === 'application/x-recordio-protobuf' || type === 'recordio-protobuf') {
    return fail(415, `Content-type ${contentType} is not supported by Lathe's XGBoost serving.`);
  }
  return fail(415, `${contentType} is not an accepted ContentType: ${CONTAINER_TYPES}.`);
}

/** Decodes a request body (non-empty) in `format` into dense rows, or a 415 naming the problem. */
export function decodeRequest(body: Uint8Array, format: RequestFormat): DecodedRows | InvocationError {
  switch (format) {
    case 'csv':
      return decodeCsv(body);
    case 'libsvm':
      return decodeLibsvm(body);
    case 'json':
      return decodeJson(body);
    case 'jsonlines':
      return decodeJsonLines(body);
  }
}

const isSpace = (b: number | undefined) =>
  b === 32 || b === 9 || b === 10 || b === 13 || b === 11 || b === 12;

/** Python's `bytes.strip()` bounds. */
function stripped(buf: Uint8Array): [number, number] {
  let s = 0;
  let e = buf.length;
  while (s < e && isSpace(buf[s])) s++;
  while (e > s && isSpace(buf[e - 1])) e--;
  return [s, e];
}

/**
 * CSV as `encoder.csv_to_dmatrix` reads it: the stripped payload split on `\n`, each line split on
 * one delimiter, empty cells = NaN (missing), every row the same width (numpy raises otherwise;
 * here the error names the row), `inf` rejected (libxgboost 1.7 refuses it when missing is NaN).
 * The delimiter is sniffed from the first line (`,` preferred, then tab, `;`, `|`, space). Lathe: a
 * one-column payload is accepted (`csv.Sniffer` fails on it and the container answers 415).
 */
export function decodeCsv(body: Uint8Array): DecodedRows | InvocationError {
  const [start, end] = stripped(body);
  const bad = (msg: string) =>
    fail(415, `Loading csv data failed with Exception, please ensure data is in csv format:\n ${msg}`);
  let firstEnd = body.indexOf(10, start);
  if (firstEnd < 0 || firstEnd > end) firstEnd = end;
  let delimiter = 44;
  for (const d of [44, 9, 59, 124, 32]) {
    if (body.subarray(start, firstEnd).includes(d)) {
      delimiter = d;
      break;
    }
  }
  let lines = 1;
  for (let p = body.indexOf(10, start); p !== -1 && p < end; p = body.indexOf(10, p + 1)) lines++;
  let cols = -1;
  let values = new Float32Array(0);
  let row = 0;
  let pos = start;
  while (row < lines) {
    let lineEnd = body.indexOf(10, pos);
    if (lineEnd < 0 || lineEnd > end) lineEnd = end;
    const next = lineEnd + 1;
    if (lineEnd > pos && body[lineEnd - 1] === 13) lineEnd--;
    let fields = 1;
    for (let i = pos; i < lineEnd; i++) if (body[i] === delimiter) fields++;
    if (cols < 0) {
      cols = fields;
      values = new Float32Array(lines * cols);
    } else if (fields !== cols) {
      return bad(`row ${row + 1} has ${fields} columns, the first row has ${cols}`);
    }
    let field = 0;
    let cell = pos;
    for (let i = pos; i <= lineEnd; i++) {
      if (i < lineEnd && body[i] !== delimiter) continue;
      const v = parseNumber(body, cell, i);
      if (v === INVALID) {
        const text = Buffer.from(body.subarray(cell, i)).toString('utf8').trim().slice(0, 40);
        return bad(`row ${row + 1}, column ${field + 1}: could not convert string to float: '${text}'`);
      }
      if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
        return bad(`row ${row + 1}, column ${field + 1}: Input data contains \`inf\` or a value too large`);
      }
      values[row * cols + field] = v;
      field++;
      cell = i + 1;
    }
    row++;
    pos = next;
  }
  return { ok: true, rows: lines, cols, values };
}

/**
 * libsvm as `serve_utils._get_sparse_matrix_from_libsvm` reads it: the stripped payload split on
 * `\n`, each line on single spaces; every token containing `:` is `index:value` (the label and
 * other tokens are ignored); indexes are 0-based column numbers; `scipy.sparse.csr_matrix` sizes
 * the matrix from the largest row and column seen, so trailing rows without features produce no
 * prediction; duplicate entries add up; a NaN value is missing. Malformed tokens (`qid:3`,
 * `1.5:2`) → 415.
 */
export function decodeLibsvm(body: Uint8Array): DecodedRows | InvocationError {
  const [start, end] = stripped(body);
  const text = Buffer.from(body.subarray(start, end)).toString('utf8');
  const bad = (msg: string) =>
    fail(415, `Loading libsvm data failed with Exception, please ensure data is in libsvm format:\n ${msg}`);
  const rowsIdx: number[] = [];
  const colsIdx: number[] = [];
  const vals: number[] = [];
  const lines = text.split('\n');
  for (let r = 0; r < lines.length; r++) {
    for (const item of lines[r]!.split(' ')) {
      const colon = item.indexOf(':');
      if (colon < 0) continue;
      const second = item.indexOf(':', colon + 1);
      const idxText = item.slice(0, colon).trim();
      const valText = item.slice(colon + 1, second < 0 ? undefined : second).trim();
      if (!/^[+-]?\d+$/.test(idxText)) {
        return bad(`row ${r + 1}: invalid literal for int() with base 10: '${idxText}'`);
      }
      const index = Number(idxText);
      if (index < 0) return bad(`row ${r + 1}: negative column index ${index}`);
      const bytes = Buffer.from(valText);
      const v = parseNumber(bytes, 0, bytes.length);
      if (v === INVALID || valText === '') {
        return bad(`row ${r + 1}: could not convert string to float: '${valText}'`);
      }
      if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
        return bad(`row ${r + 1}: Input data contains \`inf\` or a value too large`);
      }
      rowsIdx.push(r);
      colsIdx.push(index);
      vals.push(v);
    }
  }
  if (vals.length === 0) return bad('cannot infer dimensions from zero sized index arrays');
  const rows = rowsIdx[rowsIdx.length - 1]! + 1;
  let cols = 0;
  for (const c of colsIdx) if (c + 1 > cols) cols = c + 1;
  if (rows * cols > 2 ** 28) return bad(`a ${rows} x ${cols} matrix is too large to serve densely`);
  const values = new Float32Array(rows * cols).fill(Number.NaN);
  const sums = new Float64Array(rows * cols).fill(Number.NaN);
  for (let i = 0; i < vals.length; i++) {
    const k = rowsIdx[i]! * cols + colsIdx[i]!;
    // csr_matrix sums duplicates in float64 before xgboost narrows to float32.
    sums[k] = Number.isNaN(sums[k]!) ? vals[i]! : sums[k]! + vals[i]!;
  }
  for (let k = 0; k < sums.length; k++) values[k] = sums[k]!;
  return { ok: true, rows, cols, values };
}

/**
 * Lathe extension (the container's algorithm mode has no JSON decoder and answers 415). Accepts the
 * SageMaker first-party forms: `{"instances": [{"features": [..]}, ..]}`,
 * `{"instances": [[..], ..]}`, `{"instances": [{"data": {"features": {"values": [..]}}}]}` (or
 * sparse `{"keys", "shape", "values"}`), a single `{"features": [..]}`, a bare list of lists and
 * a bare list of numbers (one row). `null` = missing. All rows must have the same width.
 */
export function decodeJson(body: Uint8Array): DecodedRows | InvocationError {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch (e) {
    return fail(
      415,
      `Loading json data failed with Exception, please ensure data is in json format:\n ${(e as Error).message}`,
    );
  }
  let rows: unknown[];
  if (Array.isArray(doc))
    rows = doc.length > 0 && doc.every((x) => typeof x === 'number' || x === null) ? [doc] : doc;
  else if (isObject(doc) && Array.isArray(doc['instances'])) rows = doc['instances'];
  else if (isObject(doc) && ('features' in doc || 'data' in doc)) rows = [doc];
  else
    return fail(
      415,
      `Loading json data failed: expected {"instances": [...]}, {"features": [...]} or a list of rows`,
    );
  return denseFromRows(rows, 'json');
}

/** Lathe extension: one instance per non-empty line, in any of the forms `decodeJson` takes per row. */
export function decodeJsonLines(body: Uint8Array): DecodedRows | InvocationError {
  const rows: unknown[] = [];
  const lines = Buffer.from(body).toString('utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      rows.push(JSON.parse(line));
    } catch (e) {
      return fail(415, `Loading jsonlines data failed: line ${i + 1}: ${(e as Error).message}`);
    }
  }
  return denseFromRows(rows, 'jsonlines');
}

function isObject(v: unknown): v is { readonly [k: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One instance's features: a dense list, or a sparse `{keys, shape, values}` expanded to `shape[0]`. */
function rowValues(row: unknown): (number | null)[] | string {
  if (Array.isArray(row)) return row as (number | null)[];
  if (!isObject(row)) return 'an instance must be a list or an object';
  let f: unknown = row['features'];
  if (f === undefined && isObject(row['data'])) f = row['data']['features'];
  if (Array.isArray(f)) return f as (number | null)[];
  if (isObject(f) && Array.isArray(f['values'])) {
    const values = f['values'] as unknown[];
    if (!Array.isArray(f['keys'])) return values as (number | null)[];
    const keys = f['keys'] as unknown[];
    const shape = Array.isArray(f['shape']) ? Number(f['shape'][0]) : Number.NaN;
    if (!Number.isInteger(shape) || shape < 0 || keys.length !== values.length) {
      return 'sparse features need integer "shape" and as many "keys" as "values"';
    }
    const dense: (number | null)[] = new Array<number | null>(shape).fill(null);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= shape)
        return `key ${String(k)} is out of range`;
      dense[k] = values[i] as number | null;
    }
    return dense;
  }
  return 'an instance needs "features" (or "data": {"features": ...})';
}

function denseFromRows(rows: unknown[], what: string): DecodedRows | InvocationError {
  const bad = (msg: string) => fail(415, `Loading ${what} data failed: ${msg}`);
  const parsed: (number | null)[][] = [];
  for (let r = 0; r < rows.length; r++) {
    const v = rowValues(rows[r]);
    if (typeof v === 'string') return bad(`instance ${r + 1}: ${v}`);
    parsed.push(v);
  }
  const cols = parsed[0]?.length ?? 0;
  const values = new Float32Array(parsed.length * cols);
  for (let r = 0; r < parsed.length; r++) {
    const row = parsed[r]!;
    if (row.length !== cols)
      return bad(`instance ${r + 1} has ${row.length} features, the first has ${cols}`);
    for (let c = 0; c < cols; c++) {
      const x = row[c];
      if (x === null) values[r * cols + c] = Number.NaN;
      else if (typeof x === 'number') values[r * cols + c] = x;
      else return bad(`instance ${r + 1}, feature ${c + 1} is not a number`);
    }
  }
  return { ok: true, rows: parsed.length, cols, values };
}

const SUPPORTED_ACCEPTS: Record<string, ResponseFormat> = {
  'text/csv': 'text/csv',
  csv: 'text/csv',
  'application/json': 'application/json',
  json: 'application/json',
  'application/jsonlines': 'application/jsonlines',
  jsonlines: 'application/jsonlines',
};

/**
 * The response format for an Accept header, as `serve.py _parse_accept` picks it: absent, empty or
 * `*` + `/*` → `defaultAccept` (`SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT`, else `text/csv`); parameters
 * after `;` are ignored; unsupported → 406. Lathe: a comma-separated list takes its first
 * supported entry (the container treats the whole list as one unknown type);
 * `application/x-recordio-protobuf` is not implemented (406).
 */
export function responseFormat(
  accept: string | undefined,
  defaultAccept: string,
): ResponseFormat | InvocationError {
  const entries = (accept ?? '').split(',').map((a) => parseHeader(a).type);
  for (const type of entries) {
    const chosen = type === '' || type === '*/*' ? parseHeader(defaultAccept).type : type;
    const format = SUPPORTED_ACCEPTS[chosen];
    if (format) return format;
  }
  return fail(
    406,
    `Accept type ${accept ?? defaultAccept} is not supported. Please use supported accept types: ['application/json', 'application/jsonlines', 'text/csv'].`,
  );
}

/** One prediction as Python sees it: a float, or a list of floats for multi:softprob. */
function rawValue(preds: Float32Array, r: number, width: number): PyValue {
  if (width === 1) return preds[r]!;
  return Array.from(preds.subarray(r * width, (r + 1) * width));
}

/**
 * Encodes plain predictions (no `SAGEMAKER_INFERENCE_OUTPUT`):
 * - `text/csv`: one prediction per line, a multi:softprob row comma-joined on its line, values as
 *   Python's `str(float)`; with SAGEMAKER_BATCH a trailing newline (the container's batch form,
 *   `"\n".join(...) + "\n"`). Lathe: real-time responses also put one row per line and softprob rows
 *   without Python's list brackets (the container joins every prediction with `,` on one line and
 *   prints a softprob row as `[0.1, 0.2, 0.7]`);
 * - `application/json`: `{"predictions": [{"score": 0.43}, ...]}`, `score` a list for softprob
 *   (`serve_utils.encode_predictions_as_json`, `json.dumps` spacing);
 * - `application/jsonlines`: one `{"score": ...}` object per line, each line ending in `\n`.
 */
export function encodePredictions(
  preds: Float32Array,
  rows: number,
  width: number,
  format: ResponseFormat,
  batch: boolean,
): string {
  if (format === 'text/csv') {
    const lines: string[] = new Array<string>(rows);
    for (let r = 0; r < rows; r++) {
      if (width === 1) lines[r] = pyStr(preds[r]!);
      else {
        const parts: string[] = new Array<string>(width);
        for (let k = 0; k < width; k++) parts[k] = pyStr(preds[r * width + k]!);
        lines[r] = parts.join(',');
      }
    }
    const text = lines.join('\n');
    return batch && rows > 0 ? `${text}\n` : text;
  }
  const records: string[] = new Array<string>(rows);
  for (let r = 0; r < rows; r++) records[r] = pyJson({ score: rawValue(preds, r, width) });
  if (format === 'application/json') return `{"predictions": [${records.join(', ')}]}`;
  return records.map((x) => `${x}\n`).join('');
}
