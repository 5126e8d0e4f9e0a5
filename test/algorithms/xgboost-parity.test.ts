/**
 * Parity of Lathe's XGBoost training with Python xgboost 1.7 on real datasets: the saved
 * `xgboost-model` must load in Python, predict what libxgboost predicts through Lathe's binding,
 * and evaluate to the last metric Lathe printed. Needs Debian's python3-xgboost and a build
 * (`npx tsc -p tsconfig.json`) for the child-process tests.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Booster } from '../../src/algorithms/xgboost/booster.js';
import { parseCsv } from '../../src/algorithms/xgboost/csv-parser.js';
import { DMatrix } from '../../src/algorithms/xgboost/dmatrix.js';
import { parseEvalLine } from '../../src/algorithms/xgboost/early-stopping.js';
import { trainXgboost } from '../../src/algorithms/xgboost/train.js';

const REPO = resolve(import.meta.dirname, '../..');
const DATASETS = join(REPO, 'test/fixtures/datasets');
const CHILD = join(REPO, 'dist/worker/children/xgboost-train.js');
const PYTHON = '/usr/bin/python3';

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

/** Lays out an `/opt/ml`-shaped directory with the dataset's train/validation CSVs. */
async function mlRoot(dataset: string, hyperparameters: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), `lathe-xgb-${dataset}-`));
  roots.push(root);
  await mkdir(join(root, 'input/config'), { recursive: true });
  for (const channel of ['train', 'validation']) {
    await mkdir(join(root, 'input/data', channel), { recursive: true });
    await cp(join(DATASETS, dataset, `${channel}.csv`), join(root, 'input/data', channel, `${channel}.csv`));
  }
  await writeFile(join(root, 'input/config/hyperparameters.json'), JSON.stringify(hyperparameters));
  const channels = {
    train: { ContentType: 'text/csv', TrainingInputMode: 'File' },
    validation: { TrainingInputMode: 'File' },
  };
  await writeFile(join(root, 'input/config/inputdataconfig.json'), JSON.stringify(channels));
  return root;
}

/** Python xgboost 1.7's view of a saved model: predictions and `bst.eval` on validation.csv. */
function python(
  model: string,
  csv: string,
  metric: string,
): { preds: number[]; eval: string; rounds: number } {
  const script = `
import json, sys, numpy as np, xgboost as xgb
bst = xgb.Booster(); bst.load_model(sys.argv[1])
data = np.loadtxt(sys.argv[2], delimiter=",", ndmin=2)
d = xgb.DMatrix(data[:, 1:], label=data[:, 0])
bst.set_param({"eval_metric": sys.argv[3]})
print(json.dumps({"preds": bst.predict(d).reshape(-1).astype(float).tolist(), "eval": bst.eval(d, "validation"), "rounds": bst.num_boosted_rounds()}))
`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script, model, csv, metric], { encoding: 'utf8' }));
}

/** Predictions libxgboost gives through Lathe's binding for the same model and CSV. */
async function lathePredict(model: string, csv: string): Promise<Float32Array> {
  const parsed = parseCsv(await readFile(csv), csv);
  const booster = Booster.load(model);
  const dm = DMatrix.from({ features: parsed.features, labels: parsed.labels });
  try {
    return booster.predict(dm);
  } finally {
    dm.free();
    booster.free();
  }
}

async function expectParity(root: string, dataset: string, metric: string, lastLine: string): Promise<void> {
  const model = join(root, 'model/xgboost-model');
  const csv = join(DATASETS, dataset, 'validation.csv');
  const py = python(model, csv, metric);
  const ours = await lathePredict(model, csv);
  expect(ours.length).toBe(py.preds.length);
  let maxDiff = 0;
  for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - py.preds[i]!));
  expect(maxDiff).toBeLessThan(1e-6);
  const printed = parseEvalLine(lastLine).find((e) => e.set === 'validation' && e.metric === metric);
  const pythonValue = parseEvalLine(py.eval).find((e) => e.set === 'validation' && e.metric === metric);
  expect(printed).toBeDefined();
  expect(pythonValue).toBeDefined();
  expect(Math.abs(printed!.value - pythonValue!.value)).toBeLessThan(1e-5);
}

async function trainInProcess(root: string): Promise<string[]> {
  const lines: string[] = [];
  const result = await trainXgboost(root, { log: () => {}, evalLine: (l) => lines.push(l) });
  expect(result.status).toBe('Completed');
  return lines;
}

function runChild(root: string): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string }>;
} {
  if (!existsSync(CHILD)) throw new Error(`${CHILD} is missing: run 'npx tsc -p tsconfig.json' first`);
  const child = spawn(process.execPath, [CHILD, root], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr!.resume();
  const done = new Promise<{ code: number | null; stdout: string }>((ok) =>
    child.on('close', (code) => ok({ code, stdout })),
  );
  return { child, done };
}

describe('XGBoost parity with Python xgboost 1.7', () => {
  it('binary: breast-cancer, binary:logistic, auc, early stopping attributes', async () => {
    const root = await mlRoot('breast-cancer', {
      num_round: '60',
      objective: 'binary:logistic',
      eval_metric: 'logloss,auc',
      max_depth: '4',
      eta: '0.2',
      early_stopping_rounds: '10',
    });
    const lines = await trainInProcess(root);
    expect(lines[0]).toMatch(
      /^\[0\]\ttrain-logloss:[0-9.]+\ttrain-auc:[0-9.]+\tvalidation-logloss:[0-9.]+\tvalidation-auc:[0-9.]+$/,
    );
    await expectParity(root, 'breast-cancer', 'auc', lines.at(-1)!);
    const booster = Booster.load(join(root, 'model/xgboost-model'));
    const best = Number(booster.getAttr('best_iteration'));
    expect(booster.boostedRounds()).toBe(lines.length);
    const scores = lines.map((l) => parseEvalLine(l).at(-1)!.value);
    expect(best).toBe(scores.indexOf(Math.max(...scores)));
    expect(Number(booster.getAttr('best_score'))).toBeCloseTo(Math.max(...scores), 4);
    booster.free();
  });

  it('multiclass: wine, multi:softprob with num_class 3', async () => {
    const root = await mlRoot('wine', {
      num_round: '30',
      objective: 'multi:softprob',
      num_class: '3',
      max_depth: '3',
    });
    const lines = await trainInProcess(root);
    expect(lines).toHaveLength(30);
    expect(lines[29]).toMatch(/^\[29\]\ttrain-mlogloss:[0-9.]+\tvalidation-mlogloss:[0-9.]+$/);
    await expectParity(root, 'wine', 'mlogloss', lines[29]!);
  });

  it('regression: diabetes, reg:squarederror, through the compiled child process', async () => {
    const root = await mlRoot('diabetes', { num_round: '40', objective: 'reg:squarederror', eta: '0.1' });
    const { done } = runChild(root);
    const { code, stdout } = await done;
    expect(code).toBe(0);
    const evalLines = stdout.split('\n').filter((l) => /^\[\d+\]\t/.test(l));
    expect(evalLines).toHaveLength(40);
    expect(stdout).toMatch(/Channel 'train': 353 rows x 10 feature columns/);
    await expectParity(root, 'diabetes', 'rmse', evalLines.at(-1)!);
  });

  it('a bad hyperparameter makes the child exit non-zero with a clear failure reason', async () => {
    const root = await mlRoot('iris', { num_round: '10', eta: '1.5' });
    const { code } = await runChild(root).done;
    expect(code).toBe(1);
    expect(await readFile(join(root, 'output/failure'), 'utf8')).toBe(
      "ClientError: Hyperparameter 'eta': value 1.5 is out of range [0, 1]",
    );
    expect(existsSync(join(root, 'model/xgboost-model'))).toBe(false);
  });

  it('SIGTERM mid-training stops after the current round, saves the model and exits 0', async () => {
    const root = await mlRoot('breast-cancer', {
      num_round: '100000',
      objective: 'binary:logistic',
      max_depth: '2',
    });
    const { child, done } = runChild(root);
    await new Promise<void>((ok) => {
      const onData = (b: Buffer) => {
        if (b.toString().includes('[20]\t')) {
          child.stdout!.off('data', onData);
          ok();
        }
      };
      child.stdout!.on('data', onData);
    });
    child.kill('SIGTERM');
    const { code, stdout } = await done;
    expect(code).toBe(0);
    const printed = stdout.split('\n').filter((l) => /^\[\d+\]\t/.test(l)).length;
    const py = python(
      join(root, 'model/xgboost-model'),
      join(DATASETS, 'breast-cancer/validation.csv'),
      'logloss',
    );
    expect(py.rounds).toBe(printed);
    expect(py.rounds).toBeLessThan(100000);
    expect(existsSync(join(root, 'output/failure'))).toBe(false);
  });

  it('reads sniffed libsvm and resumes from the newest checkpoint', async () => {
    const root = await mlRoot('iris', { num_round: '4', objective: 'multi:softmax', num_class: '3' });
    const csv = await readFile(join(DATASETS, 'iris/train.csv'), 'utf8');
    const libsvm = csv
      .trim()
      .split('\n')
      .map((l) => {
        const [label, ...xs] = l.split(',');
        return [label, ...xs.map((x, i) => `${i + 1}:${x}`)].join(' ');
      })
      .join('\n');
    await rm(join(root, 'input/data'), { recursive: true });
    await mkdir(join(root, 'input/data/train/sub'), { recursive: true });
    await writeFile(join(root, 'input/data/train/sub/part-0'), libsvm);
    await writeFile(join(root, 'input/config/inputdataconfig.json'), '{"train": {}}');
    const ckpt = join(root, 'checkpoints');
    await writeFile(join(root, 'input/config/checkpointconfig.json'), JSON.stringify({ LocalPath: ckpt }));
    const logs: string[] = [];
    const first = await trainXgboost(root, { log: (l) => logs.push(l), evalLine: () => {} });
    expect(first.rounds).toBe(4);
    expect(logs.join('\n')).toMatch(/libsvm \(detected from the data/);
    expect(logs.join('\n')).toMatch(/120 rows x 5 feature columns/);
    expect(existsSync(join(ckpt, 'xgboost-checkpoint.3'))).toBe(true);
    await writeFile(
      join(root, 'input/config/hyperparameters.json'),
      JSON.stringify({ num_round: '6', objective: 'multi:softmax', num_class: '3' }),
    );
    const lines: string[] = [];
    const second = await trainXgboost(root, { log: () => {}, evalLine: (l) => lines.push(l) });
    expect(second.rounds).toBe(6);
    expect(lines.map((l) => l.split('\t')[0])).toEqual(['[4]', '[5]']);
  });
});
