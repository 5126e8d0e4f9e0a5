import { describe, expect, it } from 'vitest';
import {
  decodeCsv,
  decodeJson,
  decodeJsonLines,
  decodeLibsvm,
  encodePredictions,
  requestFormat,
  responseFormat,
} from './codecs.js';
import { encodeSelected, parseSelectedKeys, selectPredictions } from './selectable-output.js';

const b = (s: string) => Buffer.from(s);
const rows = (r: ReturnType<typeof decodeCsv>) => {
  if (!r.ok) throw new Error(r.message);
  return Array.from({ length: r.rows }, (_, i) =>
    Array.from(r.values.subarray(i * r.cols, (i + 1) * r.cols)),
  );
};

describe('requestFormat (data_utils.get_content_type)', () => {
  it.each([
    ['text/csv', 'csv'],
    ['text/csv; label_size=1', 'csv'],
    ['text/csv; label_size=0', 'csv'],
    ['TEXT/CSV; charset=utf-8', 'csv'],
    ['csv', 'csv'],
    ['text/libsvm', 'libsvm'],
    ['text/x-libsvm', 'libsvm'],
    [undefined, 'libsvm'],
    ['application/json', 'json'],
    ['application/jsonlines', 'jsonlines'],
  ])('%s → %s', (ct, format) => expect(requestFormat(ct)).toBe(format));

  it.each(['text/csv; label_size=5', 'image/png', 'application/x-recordio-protobuf'])('%s → 415', (ct) => {
    expect(requestFormat(ct)).toMatchObject({ ok: false, status: 415 });
  });
});

describe('decodeCsv (encoder.csv_to_dmatrix)', () => {
  it('reads many rows, empty cells as missing, surrounding whitespace stripped, CRLF', () => {
    expect(rows(decodeCsv(b('\n1,2,3\r\n4,,6\n')))).toEqual([
      [1, 2, 3],
      [4, Number.NaN, 6],
    ]);
  });
  it('narrows values to float32 and sniffs tab delimiters', () => {
    expect(rows(decodeCsv(b('0.1\t2')))).toEqual([[Math.fround(0.1), 2]]);
  });
  it('names the row with the wrong number of columns (415)', () => {
    const r = decodeCsv(b('1,2,3\n4,5'));
    expect(r).toMatchObject({ ok: false, status: 415 });
    expect(!r.ok && r.message).toMatch(/row 2 has 2 columns, the first row has 3/);
  });
  it('rejects text and inf (415)', () => {
    expect(decodeCsv(b('1,abc'))).toMatchObject({ ok: false, status: 415 });
    expect(decodeCsv(b('1,inf'))).toMatchObject({ ok: false, status: 415 });
  });
});

describe('decodeLibsvm (serve_utils._get_sparse_matrix_from_libsvm)', () => {
  it('ignores labels, uses 0-based indexes, absent entries missing, explicit zeros present', () => {
    expect(rows(decodeLibsvm(b('1 0:1.5 2:0\n0 1:2')))).toEqual([
      [1.5, Number.NaN, 0],
      [Number.NaN, 2, Number.NaN],
    ]);
  });
  it('sizes rows like csr_matrix: trailing rows without features are dropped', () => {
    const r = decodeLibsvm(b('1 0:1\n0\n1'));
    expect(r).toMatchObject({ ok: true, rows: 1, cols: 1 });
  });
  it('rejects qid and payloads without features (415)', () => {
    expect(decodeLibsvm(b('1 qid:2 0:1'))).toMatchObject({ ok: false, status: 415 });
    expect(decodeLibsvm(b('1\n0'))).toMatchObject({ ok: false, status: 415 });
  });
});

describe('JSON and JSON Lines requests', () => {
  it('accepts the documented instance forms', () => {
    const expected = [
      [1, 2],
      [3, Number.NaN],
    ];
    expect(rows(decodeJson(b('{"instances": [{"features": [1, 2]}, {"features": [3, null]}]}')))).toEqual(
      expected,
    );
    expect(rows(decodeJson(b('{"instances": [[1, 2], [3, null]]}')))).toEqual(expected);
    expect(rows(decodeJson(b('[[1, 2], [3, null]]')))).toEqual(expected);
    expect(
      rows(
        decodeJson(
          b(
            '{"instances": [{"data": {"features": {"values": [1, 2]}}}, {"data": {"features": {"keys": [0], "shape": [2], "values": [3]}}}]}',
          ),
        ),
      ),
    ).toEqual(expected);
    expect(rows(decodeJsonLines(b('{"features": [1, 2]}\n{"features": [3, null]}\n')))).toEqual(expected);
  });
  it('rejects ragged instances and malformed JSON (415)', () => {
    expect(decodeJson(b('{"instances": [[1, 2], [3]]}'))).toMatchObject({ ok: false, status: 415 });
    expect(decodeJson(b('{"instances": '))).toMatchObject({ ok: false, status: 415 });
    expect(decodeJson(b('{"instances": [["a", 1]]}'))).toMatchObject({ ok: false, status: 415 });
  });
});

describe('responseFormat (serve.py _parse_accept)', () => {
  it('defaults absent and */* to SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT', () => {
    expect(responseFormat(undefined, 'text/csv')).toBe('text/csv');
    expect(responseFormat('*/*', 'application/json')).toBe('application/json');
    expect(responseFormat('application/jsonlines; charset=utf-8', 'text/csv')).toBe('application/jsonlines');
  });
  it('answers 406 for unsupported types', () => {
    expect(responseFormat('application/x-npy', 'text/csv')).toMatchObject({ ok: false, status: 406 });
  });
});

describe('encodePredictions', () => {
  const binary = new Float32Array([0.43861907720565796, 1e-5, 2]);
  it('text/csv: one prediction per line in Python float repr; batch adds a trailing newline', () => {
    expect(encodePredictions(binary, 3, 1, 'text/csv', false)).toBe(
      '0.43861907720565796\n9.999999747378752e-06\n2.0',
    );
    expect(encodePredictions(binary, 3, 1, 'text/csv', true)).toBe(
      '0.43861907720565796\n9.999999747378752e-06\n2.0\n',
    );
  });
  it('multi:softprob rows are comma-joined on their line; JSON score is a list', () => {
    const probs = new Float32Array([0.25, 0.75, 0.5, 0.5]);
    expect(encodePredictions(probs, 2, 2, 'text/csv', false)).toBe('0.25,0.75\n0.5,0.5');
    expect(encodePredictions(probs, 2, 2, 'application/json', false)).toBe(
      '{"predictions": [{"score": [0.25, 0.75]}, {"score": [0.5, 0.5]}]}',
    );
  });
  it('application/json and jsonlines use json.dumps spacing', () => {
    const p = new Float32Array([0.5, 0.25]);
    expect(encodePredictions(p, 2, 1, 'application/json', false)).toBe(
      '{"predictions": [{"score": 0.5}, {"score": 0.25}]}',
    );
    expect(encodePredictions(p, 2, 1, 'application/jsonlines', false)).toBe(
      '{"score": 0.5}\n{"score": 0.25}\n',
    );
  });
});

describe('selectable inference output (SAGEMAKER_INFERENCE_OUTPUT)', () => {
  // The container's own test vectors (test_serve_utils.py), with float32 inputs.
  const raw = new Float32Array([0.5, 0.25]);
  it('binary:logistic with every key, in the container key order', () => {
    const keys = parseSelectedKeys('Predicted_Label, labels,probability,probabilities,raw_score,raw_scores');
    const recs = selectPredictions(raw, 2, 1, keys, 'binary:logistic', 0);
    if (!Array.isArray(recs)) throw new Error('expected records');
    expect(encodeSelected(recs, keys, 'application/jsonlines', false)).toBe(
      '{"predicted_label": 0, "labels": [0, 1], "probability": 0.5, "probabilities": [0.5, 0.5], "raw_score": 0.5, "raw_scores": [0.5, 0.5]}\n' +
        '{"predicted_label": 0, "labels": [0, 1], "probability": 0.25, "probabilities": [0.75, 0.25], "raw_score": 0.25, "raw_scores": [0.75, 0.25]}\n',
    );
  });
  it('CSV follows the requested key order and quotes lists', () => {
    const keys = parseSelectedKeys('probabilities,predicted_label');
    const recs = selectPredictions(new Float32Array([0.75]), 1, 1, keys, 'binary:logistic', 0);
    if (!Array.isArray(recs)) throw new Error('expected records');
    expect(encodeSelected(recs, keys, 'text/csv', false)).toBe('"[0.25, 0.75]",1');
  });
  it('softprob: argmax label, class list, max probability; invalid keys are NaN', () => {
    const keys = parseSelectedKeys('predicted_label,labels,probability,predicted_score');
    const recs = selectPredictions(new Float32Array([0.25, 0.5, 0.25]), 1, 3, keys, 'multi:softprob', 3);
    if (!Array.isArray(recs)) throw new Error('expected records');
    expect(encodeSelected(recs, keys, 'application/json', false)).toBe(
      '{"predictions": [{"predicted_label": 1, "labels": [0, 1, 2], "probability": 0.5, "predicted_score": NaN}]}',
    );
  });
  it('objectives outside the container list are a 500', () => {
    expect(selectPredictions(raw, 2, 1, ['predicted_score'], 'count:poisson', 0)).toMatchObject({
      status: 500,
    });
  });
});
