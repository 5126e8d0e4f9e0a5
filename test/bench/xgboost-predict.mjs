/**
 * In-process XGBoost prediction latency, µs per row, for a 100-tree depth-6 binary:logistic model
 * on breast-cancer: Lathe's TypeScript evaluator, libxgboost through koffi (in-place dense and
 * DMatrix paths), and Python xgboost 1.7 `inplace_predict` timing its own loop — same model, same
 * rows, same run. Needs a build (`npx tsc -p tsconfig.json`). Writes
 * test/bench/results/xgboost-predict.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCsv } from '../../dist/algorithms/xgboost/csv-parser.js';
import { loadXgboostModel } from '../../dist/algorithms/xgboost/serving/load-model.js';
import { trainXgboost } from '../../dist/algorithms/xgboost/train.js';

const REPO = resolve(import.meta.dirname, '../..');
const csv = join(REPO, 'test/fixtures/datasets/breast-cancer/train.csv');
const root = await mkdtemp(join(tmpdir(), 'lathe-bench-predict-'));
await mkdir(join(root, 'input/config'), { recursive: true });
await mkdir(join(root, 'input/data/train'), { recursive: true });
await writeFile(join(root, 'input/data/train/train.csv'), await readFile(csv));
const hp = {
  objective: 'binary:logistic',
  num_round: '100',
  max_depth: '6',
  eta: '0.1',
  min_child_weight: '0',
};
await writeFile(join(root, 'input/config/hyperparameters.json'), JSON.stringify(hp));
await writeFile(
  join(root, 'input/config/inputdataconfig.json'),
  JSON.stringify({ train: { ContentType: 'text/csv' } }),
);
await trainXgboost(root, { log: () => {}, evalLine: () => {} });
const model = await loadXgboostModel(join(root, 'model'));
if (!model.evaluator) throw new Error(`evaluator unavailable: ${model.fallbackReason}`);

const { features } = parseCsv(await readFile(csv), csv);
const cols = features.cols;
const BATCH = 1000;
const batch = new Float32Array(BATCH * cols);
for (let r = 0; r < BATCH; r++)
  batch.set(features.values.subarray((r % features.rows) * cols, ((r % features.rows) + 1) * cols), r * cols);

/** Median over `reps` repetitions of (time for `iters` calls of fn) / (iters * rowsPerCall), in µs. */
function time(fn, iters, rowsPerCall, reps = 7) {
  for (let i = 0; i < Math.min(iters, 2000); i++) fn(i);
  const samples = [];
  for (let k = 0; k < reps; k++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) fn(i);
    samples.push(Number(process.hrtime.bigint() - t0) / 1000 / (iters * rowsPerCall));
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(reps / 2)];
}

const ev = model.evaluator;
const out = new Float32Array(BATCH);
const one = (i) => ev.predictRow(batch, (i % BATCH) * cols, out, 0);
const results = {
  model: { dataset: 'breast-cancer', ...hp, trees: model.treesUsed, features: cols },
  node: process.version,
  microsecondsPerRow: {
    'lathe-evaluator batch=1': time(one, 200_000, 1),
    'lathe-evaluator batch=1000': time(() => ev.predict(batch, BATCH, cols, out), 200, BATCH),
    'ffi XGBoosterPredictFromDense batch=1': time(
      (i) => model.native.predictDense(batch.subarray((i % BATCH) * cols), 1, cols),
      20_000,
      1,
    ),
    'ffi XGBoosterPredictFromDense batch=1000': time(
      () => model.native.predictDense(batch, BATCH, cols),
      100,
      BATCH,
    ),
    'ffi DMatrix+XGBoosterPredict batch=1': time(
      (i) => model.native.predictMatrix(batch.subarray((i % BATCH) * cols), 1, cols),
      5_000,
      1,
    ),
    'ffi DMatrix+XGBoosterPredict batch=1000': time(
      () => model.native.predictMatrix(batch, BATCH, cols),
      100,
      BATCH,
    ),
  },
};

const script = `
import json, sys, time, numpy as np, xgboost as xgb
bst = xgb.Booster(); bst.load_model(sys.argv[1]); bst.set_param('nthread', 1)
X = np.loadtxt(sys.argv[2], delimiter=",", ndmin=2)[:, 1:].astype(np.float32)
B = np.resize(X, (1000, X.shape[1])).astype(np.float32)
def med(f, iters, rows, reps=7):
    for i in range(min(iters, 500)): f(i)
    s = []
    for _ in range(reps):
        t = time.perf_counter()
        for i in range(iters): f(i)
        s.append((time.perf_counter() - t) * 1e6 / (iters * rows))
    return sorted(s)[reps // 2]
rows1 = [B[i:i+1] for i in range(1000)]
print(json.dumps({
  "python inplace_predict batch=1": med(lambda i: bst.inplace_predict(rows1[i % 1000]), 5000, 1),
  "python inplace_predict batch=1000": med(lambda i: bst.inplace_predict(B), 50, 1000),
}))
`;
const py = JSON.parse(
  execFileSync('/usr/bin/python3', ['-W', 'ignore', '-c', script, join(root, 'model/xgboost-model'), csv], {
    encoding: 'utf8',
  }),
);
Object.assign(results.microsecondsPerRow, py);
model.close();
await rm(root, { recursive: true, force: true });
await mkdir(join(REPO, 'test/bench/results'), { recursive: true });
await writeFile(
  join(REPO, 'test/bench/results/xgboost-predict.json'),
  `${JSON.stringify(results, null, 2)}\n`,
);
for (const [k, v] of Object.entries(results.microsecondsPerRow))
  console.log(`${k.padEnd(42)} ${v.toFixed(3)} µs/row`);
