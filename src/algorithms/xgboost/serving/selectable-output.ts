/**
 * `SAGEMAKER_INFERENCE_OUTPUT` ("selectable inference output"), following the container's
 * `serve_utils.get_selected_predictions` and `encode_selected_predictions`.
 */
import type { InvocationError, ResponseFormat } from './codecs.js';
import { type PyValue, pyJson, pyStr } from './python-format.js';

const PREDICTED_LABEL = 'predicted_label';
const LABELS = 'labels';
const PROBABILITY = 'probability';
const PROBABILITIES = 'probabilities';
const RAW_SCORE = 'raw_score';
const RAW_SCORES = 'raw_scores';
const PREDICTED_SCORE = 'predicted_score';

/** The container's VALID_OBJECTIVES: which keys each objective can produce. */
const VALID_OBJECTIVES: Record<string, readonly string[]> = {
  'reg:squarederror': [PREDICTED_SCORE],
  'reg:logistic': [PREDICTED_SCORE],
  'reg:gamma': [PREDICTED_SCORE],
  'reg:tweedie': [PREDICTED_SCORE],
  'binary:logistic': [PREDICTED_LABEL, LABELS, PROBABILITY, PROBABILITIES, RAW_SCORE, RAW_SCORES],
  'binary:logitraw': [PREDICTED_LABEL, LABELS, RAW_SCORE, RAW_SCORES],
  'binary:hinge': [PREDICTED_LABEL, LABELS, RAW_SCORE, RAW_SCORES],
  'multi:softmax': [PREDICTED_LABEL, LABELS, RAW_SCORE, RAW_SCORES],
  'multi:softprob': [PREDICTED_LABEL, LABELS, PROBABILITY, PROBABILITIES, RAW_SCORE, RAW_SCORES],
};

/** Keys in the order the container inserts them into each record. */
const KEY_ORDER = [
  PREDICTED_LABEL,
  LABELS,
  PROBABILITY,
  PROBABILITIES,
  RAW_SCORE,
  RAW_SCORES,
  PREDICTED_SCORE,
];

/** `SAGEMAKER_INFERENCE_OUTPUT` parsed as the container does: spaces removed, lowercased, split on `,`. */
export function parseSelectedKeys(env: string): readonly string[] {
  return env.replace(/ /g, '').toLowerCase().split(',');
}

type Record_ = Map<string, PyValue>;

function argmax(v: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

function maxOf(v: readonly number[]): number {
  return Math.max(...v);
}

/**
 * Builds one record per prediction. Keys the objective cannot produce are present with NaN (as
 * the container does, after logging a warning). An objective outside VALID_OBJECTIVES is the
 * container's ValueError, answered with 500.
 */
export function selectPredictions(
  preds: Float32Array,
  rows: number,
  width: number,
  keys: readonly string[],
  objective: string,
  numClass: number,
): Record_[] | InvocationError {
  const valid = VALID_OBJECTIVES[objective];
  if (!valid) {
    return {
      ok: false,
      status: 500,
      message: `Objective \`${objective}\` unsupported for selectable inference predictions.`,
    };
  }
  const wanted = new Set(keys);
  const chosen = KEY_ORDER.filter((k) => wanted.has(k) && valid.includes(k));
  const invalid = [...wanted].filter((k) => !valid.includes(k));
  const labels: PyValue = objective.includes('binary:')
    ? [0n, 1n]
    : objective.includes('multi:') && numClass > 0
      ? Array.from({ length: numClass }, (_, i) => BigInt(i))
      : Number.NaN;
  const out: Record_[] = [];
  for (let r = 0; r < rows; r++) {
    const list = width > 1 ? Array.from(preds.subarray(r * width, (r + 1) * width)) : undefined;
    const p = preds[r * width]!;
    const rec: Record_ = new Map();
    for (const key of chosen) {
      switch (key) {
        case PREDICTED_LABEL:
          rec.set(
            key,
            list
              ? BigInt(argmax(list))
              : objective === 'binary:logistic'
                ? BigInt(p > 0.5 ? 1 : 0)
                : objective === 'binary:logitraw'
                  ? BigInt(p > 0 ? 1 : 0)
                  : p,
          );
          break;
        case LABELS:
          rec.set(key, labels);
          break;
        case PROBABILITY:
        case RAW_SCORE:
          rec.set(key, list ? maxOf(list) : p);
          break;
        case PROBABILITIES:
        case RAW_SCORES:
          rec.set(key, list ?? [1.0 - p, p]);
          break;
        case PREDICTED_SCORE:
          rec.set(key, p);
          break;
      }
    }
    for (const key of invalid) rec.set(key, Number.NaN);
    out.push(rec);
  }
  return out;
}

/**
 * Encodes selected records: JSON `{"predictions": [...]}`; JSON Lines one record per line; CSV one
 * line per record with the keys in `SAGEMAKER_INFERENCE_OUTPUT` order, lists written as a quoted
 * Python list (`1,"[0.4, 0.6]"`), plus a trailing newline under SAGEMAKER_BATCH.
 */
export function encodeSelected(
  records: readonly Record_[],
  keys: readonly string[],
  format: ResponseFormat,
  batch: boolean,
): string {
  if (format === 'application/json') {
    return `{"predictions": [${records.map((r) => pyJson(Object.fromEntries(r))).join(', ')}]}`;
  }
  if (format === 'application/jsonlines')
    return records.map((r) => `${pyJson(Object.fromEntries(r))}\n`).join('');
  const lines = records.map((rec) =>
    keys
      .map((k) => {
        const v = rec.get(k) ?? Number.NaN;
        return Array.isArray(v) ? `"${pyStr(v)}"` : pyStr(v);
      })
      .join(','),
  );
  const text = lines.join('\n');
  return batch ? `${text}\n` : text;
}
