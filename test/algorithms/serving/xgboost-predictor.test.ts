/** The `/invocations` handler end to end on models trained in-process: formats, errors, fallback. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createXgboostPredictor } from '../../../src/algorithms/xgboost/serving/load-model.js';
import type { XgboostPredictor } from '../../../src/algorithms/xgboost/serving/xgboost-predictor.js';
import { trainXgboost } from '../../../src/algorithms/xgboost/train.js';

const DATASETS = join(resolve(import.meta.dirname, '../../..'), 'test/fixtures/datasets');
const roots: string[] = [];
const predictors: XgboostPredictor[] = [];
afterAll(async () => {
  for (const p of predictors) p.close();
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

async function modelDir(dataset: string, hp: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'lathe-pred-'));
  roots.push(root);
  await mkdir(join(root, 'input/config'), { recursive: true });
  await mkdir(join(root, 'input/data/train'), { recursive: true });
  await writeFile(
    join(root, 'input/data/train/train.csv'),
    await readFile(join(DATASETS, dataset, 'train.csv')),
  );
  await writeFile(join(root, 'input/config/hyperparameters.json'), JSON.stringify(hp));
  await writeFile(
    join(root, 'input/config/inputdataconfig.json'),
    JSON.stringify({ train: { ContentType: 'text/csv' } }),
  );
  await trainXgboost(root, { log: () => {}, evalLine: () => {}, cores: 1 });
  return join(root, 'model');
}

async function predictor(dir: string, env: Record<string, string> = {}): Promise<XgboostPredictor> {
  const p = await createXgboostPredictor(dir, env);
  predictors.push(p);
  return p;
}

describe('createXgboostPredictor', () => {
  it('serves a multi:softprob model in CSV, JSON and JSON Lines', async () => {
    const dir = await modelDir('iris', { objective: 'multi:softprob', num_class: '3', num_round: '10' });
    const p = await predictor(dir);
    expect(p.model.evaluator).toBeDefined();
    const csv = p.invoke(Buffer.from('6.1,2.8,4.7,1.2\n5.7,3.8,1.7,0.3'), 'text/csv', undefined);
    expect(csv.status).toBe(200);
    expect(csv.contentType).toBe('text/csv');
    const lines = String(csv.body).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]!.split(',')).toHaveLength(3);
    const json = p.invoke(
      Buffer.from('{"instances": [[6.1, 2.8, 4.7, 1.2]]}'),
      'application/json',
      'application/json',
    );
    expect(JSON.parse(String(json.body)).predictions[0].score).toHaveLength(3);
    const libsvm = p.invoke(Buffer.from('1 0:6.1 1:2.8 2:4.7 3:1.2'), 'text/libsvm', 'application/jsonlines');
    expect(String(libsvm.body)).toBe(`{"score": [${lines[0]!.split(',').join(', ')}]}\n`);
  });

  it('maps errors as the container does: 204, 415, 400, 406', async () => {
    const dir = await modelDir('iris', { objective: 'binary:logistic', num_round: '5' }).catch(
      () => undefined,
    );
    const p = await predictor(
      dir ?? (await modelDir('breast-cancer', { objective: 'binary:logistic', num_round: '5' })),
    );
    expect(p.invoke(Buffer.alloc(0), 'text/csv', undefined).status).toBe(204);
    expect(p.invoke(Buffer.from('1,2'), 'image/png', undefined).status).toBe(415);
    expect(p.invoke(Buffer.from('1,2\n3'), 'text/csv', undefined).status).toBe(415);
    const wide = Array.from({ length: p.model.numFeature + 1 }, () => '1').join(',');
    const r = p.invoke(Buffer.from(wide), 'text/csv', undefined);
    expect(r.status).toBe(400);
    expect(String(r.body)).toMatch(
      /^Unable to evaluate payload provided: .*Number of columns does not match/,
    );
    expect(p.invoke(Buffer.from('1,2'), 'text/csv', 'application/x-npy').status).toBe(406);
    // Fewer columns than features: the rest are missing, as in libxgboost.
    expect(p.invoke(Buffer.from('1,2'), 'text/csv', undefined).status).toBe(200);
  });

  it('selectable output and default Accept from the environment', async () => {
    const dir = await modelDir('breast-cancer', { objective: 'binary:logistic', num_round: '5' });
    const p = await predictor(dir, {
      SAGEMAKER_INFERENCE_OUTPUT: 'predicted_label,probability',
      SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: 'application/json',
    });
    const row = (await readFile(join(DATASETS, 'breast-cancer/validation.csv'), 'utf8')).split('\n')[0]!;
    const r = p.invoke(Buffer.from(row.split(',').slice(1).join(',')), 'text/csv', '*/*');
    expect(r.contentType).toBe('application/json');
    const rec = JSON.parse(String(r.body)).predictions[0];
    expect(Object.keys(rec)).toEqual(['predicted_label', 'probability']);
    expect(rec.predicted_label).toBe(rec.probability > 0.5 ? 1 : 0);
  });

  it('falls back to libxgboost for gblinear models', async () => {
    const dir = await modelDir('diabetes', { booster: 'gblinear', num_round: '5' });
    const p = await predictor(dir);
    expect(p.model.evaluator).toBeUndefined();
    expect(p.model.fallbackReason).toMatch(/gblinear/);
    const r = p.invoke(Buffer.from('219.0,61,1,25.8,90.0,280,195.4,55.0,5.0,4.9972'), 'text/csv', undefined);
    expect(r.body).toMatch(/^[0-9.]+$/);
    expect(r.status).toBe(200);
  });
});
