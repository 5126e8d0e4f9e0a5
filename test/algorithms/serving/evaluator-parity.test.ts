/**
 * The TypeScript tree evaluator must reproduce libxgboost 1.7 bit for bit: models are trained
 * in-process with Lathe's trainer on every fixture dataset (some with missing cells), then every
 * row of train.csv and validation.csv — as given and with extra NaNs — is predicted by the
 * evaluator, by libxgboost through the binding (XGBoosterPredict, float32 out), and for one model
 * per objective by Python xgboost 1.7's `Booster.predict` as the SageMaker container calls it.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../../src/algorithms/xgboost/csv-parser.js';
import { DMatrix } from '../../../src/algorithms/xgboost/dmatrix.js';
import {
  loadXgboostModel,
  type XgboostServingModel,
} from '../../../src/algorithms/xgboost/serving/load-model.js';
import { trainXgboost } from '../../../src/algorithms/xgboost/train.js';

const REPO = resolve(import.meta.dirname, '../../..');
const DATASETS = join(REPO, 'test/fixtures/datasets');
const PYTHON = '/usr/bin/python3';

const roots: string[] = [];
const models: XgboostServingModel[] = [];
afterAll(async () => {
  for (const m of models) m.close();
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Blanks a fraction of feature cells (never the label) in CSV text. */
function blankCells(csv: string, fraction: number, seed: number): string {
  const rand = rng(seed);
  return csv
    .trim()
    .split('\n')
    .map((line) =>
      line
        .split(',')
        .map((cell, i) => (i > 0 && rand() < fraction ? '' : cell))
        .join(','),
    )
    .join('\n');
}

async function trainModel(
  dataset: string,
  hyperparameters: Record<string, string>,
  missing = 0,
): Promise<{ root: string; model: XgboostServingModel }> {
  const root = await mkdtemp(join(tmpdir(), `lathe-eval-${dataset}-`));
  roots.push(root);
  await mkdir(join(root, 'input/config'), { recursive: true });
  for (const channel of ['train', 'validation']) {
    await mkdir(join(root, 'input/data', channel), { recursive: true });
    let text = await readFile(join(DATASETS, dataset, `${channel}.csv`), 'utf8');
    if (missing > 0) text = blankCells(text, missing, channel.length);
    await writeFile(join(root, 'input/data', channel, `${channel}.csv`), text);
  }
  await writeFile(join(root, 'input/config/hyperparameters.json'), JSON.stringify(hyperparameters));
  const channels = { train: { ContentType: 'text/csv' }, validation: { ContentType: 'text/csv' } };
  await writeFile(join(root, 'input/config/inputdataconfig.json'), JSON.stringify(channels));
  const result = await trainXgboost(root, { log: () => {}, evalLine: () => {}, cores: 2 });
  expect(result.status).toBe('Completed');
  const model = await loadXgboostModel(join(root, 'model'));
  models.push(model);
  return { root, model };
}

/** Every row of the dataset's train and validation CSVs, then the same rows with ~20% NaNs. */
async function rowsOf(dataset: string): Promise<{ rows: number; cols: number; values: Float32Array }> {
  const parts: Float32Array[] = [];
  let rows = 0;
  let cols = 0;
  for (const channel of ['train', 'validation']) {
    const file = join(DATASETS, dataset, `${channel}.csv`);
    const parsed = parseCsv(await readFile(file), file);
    parts.push(parsed.features.values);
    rows += parsed.features.rows;
    cols = parsed.features.cols;
  }
  const clean = new Float32Array(rows * cols);
  let o = 0;
  for (const p of parts) {
    clean.set(p, o);
    o += p.length;
  }
  const noisy = clean.slice();
  const rand = rng(7);
  for (let i = 0; i < noisy.length; i++) if (rand() < 0.2) noisy[i] = Number.NaN;
  const values = new Float32Array(rows * cols * 2);
  values.set(clean);
  values.set(noisy, clean.length);
  return { rows: rows * 2, cols, values };
}

/** Runs the evaluator and libxgboost on the rows; returns both and the evaluator's outputs. */
function compare(
  model: XgboostServingModel,
  data: { rows: number; cols: number; values: Float32Array },
): { ours: Float32Array; exact: number; maxDiff: number } {
  const ev = model.evaluator;
  expect(model.fallbackReason).toBeUndefined();
  expect(ev).toBeDefined();
  const ours = new Float32Array(data.rows * ev!.outputsPerRow);
  ev!.predict(data.values, data.rows, data.cols, ours);
  // The full-forest FFI path (XGBoosterPredict over a DMatrix) when every tree is used, as the
  // binding's Booster.predict does; the in-place path with the same iteration limit otherwise.
  let theirs: Float32Array;
  const native = model.native!; // loaded from a file: libxgboost holds it too
  if (model.treesUsed === native.booster.boostedRounds() * Math.max(1, model.numClass)) {
    const dm = DMatrix.from({ kind: 'dense', rows: data.rows, cols: data.cols, values: data.values });
    theirs = native.booster.predict(dm);
    dm.free();
  } else {
    theirs = native.predictDense(data.values, data.rows, data.cols, model.iterationEnd);
  }
  expect(theirs.length).toBe(ours.length);
  let exact = 0;
  let maxDiff = 0;
  for (let i = 0; i < ours.length; i++) {
    if (ours[i] === theirs[i]) exact++;
    maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - theirs[i]!));
  }
  return { ours, exact, maxDiff };
}

/** Python xgboost 1.7's predictions, called as the container's serve_utils.predict calls them. */
function pythonPredict(
  modelPath: string,
  data: { rows: number; cols: number; values: Float32Array },
): number[] {
  const lines: string[] = [];
  for (let r = 0; r < data.rows; r++) {
    const cells: string[] = [];
    for (let c = 0; c < data.cols; c++) {
      const v = data.values[r * data.cols + c]!;
      cells.push(Number.isNaN(v) ? 'nan' : String(v));
    }
    lines.push(cells.join(','));
  }
  const script = `
import json, sys, numpy as np, xgboost as xgb
bst = xgb.Booster(); bst.load_model(sys.argv[1])
bst.set_param('nthread', 1)
X = np.loadtxt(sys.stdin, delimiter=",", ndmin=2)
p = bst.predict(xgb.DMatrix(X), ntree_limit=getattr(bst, "best_ntree_limit", 0), validate_features=False)
print(json.dumps(p.reshape(-1).astype(float).tolist()))
`;
  return JSON.parse(
    execFileSync(PYTHON, ['-W', 'ignore', '-c', script, modelPath], {
      input: lines.join('\n'),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
}

function expectPythonParity(
  root: string,
  ours: Float32Array,
  data: { rows: number; cols: number; values: Float32Array },
) {
  const py = pythonPredict(join(root, 'model/xgboost-model'), data);
  expect(py.length).toBe(ours.length);
  let mismatches = 0;
  for (let i = 0; i < ours.length; i++) if (ours[i] !== py[i]) mismatches++;
  expect(mismatches).toBe(0);
}

describe('TreeEvaluator parity with libxgboost 1.7 and Python xgboost 1.7', () => {
  const cases: {
    name: string;
    dataset: string;
    hp: Record<string, string>;
    missing?: number;
    python?: boolean;
    check?: (m: XgboostServingModel) => void;
  }[] = [
    {
      name: 'binary:logistic, 120 trees of depth 6, trained with missing cells',
      dataset: 'breast-cancer',
      hp: { objective: 'binary:logistic', num_round: '120', max_depth: '6', eta: '0.1' },
      missing: 0.1,
      python: true,
      check: (m) => expect(m.treesUsed).toBe(120),
    },
    {
      name: 'multi:softprob, wine, 3 classes',
      dataset: 'wine',
      hp: { objective: 'multi:softprob', num_class: '3', num_round: '40', max_depth: '4' },
      python: true,
      check: (m) => expect(m.outputsPerRow).toBe(3),
    },
    {
      name: 'multi:softmax, iris, 3 classes, trained with missing cells',
      dataset: 'iris',
      hp: { objective: 'multi:softmax', num_class: '3', num_round: '30' },
      missing: 0.15,
      python: true,
    },
    {
      name: 'reg:squarederror, diabetes',
      dataset: 'diabetes',
      hp: { objective: 'reg:squarederror', num_round: '150', eta: '0.05', max_depth: '5' },
      python: true,
    },
    {
      name: 'count:poisson, diabetes, trained with missing cells',
      dataset: 'diabetes',
      hp: { objective: 'count:poisson', num_round: '60', max_depth: '4' },
      missing: 0.1,
      python: true,
    },
    {
      name: 'max_depth 0 with lossguide (hist), breast-cancer',
      dataset: 'breast-cancer',
      hp: {
        objective: 'binary:logistic',
        num_round: '50',
        max_depth: '0',
        grow_policy: 'lossguide',
        tree_method: 'hist',
        max_leaves: '64',
        min_child_weight: '0.1',
      },
      python: true,
    },
    {
      name: 'reg:squarederror with base_score 3 and gamma, wine as regression',
      dataset: 'wine',
      hp: { objective: 'reg:squarederror', num_round: '30', base_score: '3', gamma: '0.1' },
    },
    {
      name: 'early stopping: predictions use best_ntree_limit trees, as the container does',
      dataset: 'breast-cancer',
      hp: {
        objective: 'binary:logistic',
        num_round: '300',
        eta: '0.5',
        max_depth: '6',
        early_stopping_rounds: '5',
        eval_metric: 'logloss',
      },
      python: true,
      check: (m) => {
        expect(m.iterationEnd).toBeGreaterThan(0);
        expect(m.treesUsed).toBe(m.iterationEnd);
        expect(m.treesUsed).toBeLessThan(m.native!.booster.boostedRounds());
      },
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const { root, model } = await trainModel(c.dataset, c.hp, c.missing);
      c.check?.(model);
      const data = await rowsOf(c.dataset);
      const { ours, exact, maxDiff } = compare(model, data);
      expect(maxDiff).toBeLessThanOrEqual(1e-6);
      expect(exact).toBe(ours.length);
      if (c.python) expectPythonParity(root, ours, data);
    });
  }
});
