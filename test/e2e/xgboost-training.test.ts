import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadObject } from '../helpers/objects.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { clients, datasetsDir, jobLogs, uploadDataset, waitForJob, xgboostJob } from '../helpers/training.js';

let server: TestServer;
let c: ReturnType<typeof clients>;
const bucket = 'xgb-data';

beforeAll(async () => {
  server = await startServer();
  c = clients(server);
  for (const d of ['breast-cancer', 'wine', 'diabetes']) await uploadDataset(c.s3, bucket, d);
});
afterAll(async () => {
  await server?.stop();
});

/** Downloads a job's model.tar.gz, unpacks it, and evaluates it with Python xgboost 1.7. */
async function pythonEval(
  modelUri: string,
  dataset: string,
  metric: string,
): Promise<{ metric: number; files: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'lathe-model-'));
  await downloadObject(c.s3, modelUri, join(dir, 'model.tar.gz'));
  const files: string[] = [];
  await tar.t({ file: join(dir, 'model.tar.gz'), onReadEntry: (e) => void files.push(e.path) });
  await tar.x({ file: join(dir, 'model.tar.gz'), cwd: dir });
  const script = `
import sys, numpy as np, xgboost as xgb
data = np.loadtxt(sys.argv[2], delimiter=',')
d = xgb.DMatrix(data[:, 1:], label=data[:, 0])
b = xgb.Booster(); b.load_model(sys.argv[1])
b.set_param({'eval_metric': sys.argv[3]})
print(b.eval(d, 'validation').split(':')[-1])
`;
  const out = execFileSync(
    '/usr/bin/python3',
    ['-c', script, join(dir, 'xgboost-model'), join(datasetsDir, dataset, 'validation.csv'), metric],
    {
      encoding: 'utf8',
    },
  );
  return { metric: Number(out.trim()), files };
}

describe('built-in XGBoost through the SageMaker API', () => {
  it('trains a binary classifier whose artifact Python xgboost loads and scores the same', async () => {
    await c.sm.send(
      new CreateTrainingJobCommand(
        xgboostJob('xgb-binary', bucket, 'breast-cancer', {
          num_round: '30',
          objective: 'binary:logistic',
          eval_metric: 'auc',
          max_depth: '3',
          eta: '0.2',
        }),
      ),
    );
    const job = await waitForJob(c.sm, 'xgb-binary');
    expect(job.TrainingJobStatus, job.FailureReason).toBe('Completed');
    expect(job.SecondaryStatusTransitions?.map((t) => t.Status)).toEqual([
      'Starting',
      'Downloading',
      'Training',
      'Uploading',
      'Completed',
    ]);
    expect(job.ModelArtifacts?.S3ModelArtifacts).toBe(`s3://${bucket}/output/xgb-binary/output/model.tar.gz`);
    const metrics = Object.fromEntries((job.FinalMetricDataList ?? []).map((m) => [m.MetricName, m.Value]));
    expect(metrics['validation:auc']).toBeGreaterThan(0.95);
    expect(metrics['train:auc']).toBeGreaterThan(metrics['validation:auc']! - 0.05);
    const py = await pythonEval(job.ModelArtifacts!.S3ModelArtifacts!, 'breast-cancer', 'auc');
    expect(py.files.map((f) => f.replace(/^\.\//, ''))).toContain('xgboost-model');
    expect(py.metric).toBeCloseTo(metrics['validation:auc']!, 4);

    const logs = await jobLogs(c.logs, 'xgb-binary');
    expect(logs.some((l) => /^\[29\]#011train-auc:[\d.]+#011validation-auc:[\d.]+$/.test(l))).toBe(true);

    // FilterLogEvents across the job's streams, as `aws logs filter-log-events` uses it.
    const filtered = await c.logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/aws/sagemaker/TrainingJobs',
        logStreamNamePrefix: 'xgb-binary/',
        filterPattern: '"[2" validation-auc',
        limit: 5,
      }),
    );
    expect(filtered.events?.map((e) => e.message?.slice(0, 4))).toEqual([
      '[2]#',
      '[20]',
      '[21]',
      '[22]',
      '[23]',
    ]);
    expect(filtered.nextToken).toBeDefined();
    const rest = await c.logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/aws/sagemaker/TrainingJobs',
        logStreamNamePrefix: 'xgb-binary/',
        filterPattern: '"[2" validation-auc',
        nextToken: filtered.nextToken,
      }),
    );
    expect(rest.events?.map((e) => e.message?.slice(0, 4))).toEqual([
      '[24]',
      '[25]',
      '[26]',
      '[27]',
      '[28]',
      '[29]',
    ]);
  });

  it('trains multiclass and regression models with the metrics SageMaker defines', async () => {
    await c.sm.send(
      new CreateTrainingJobCommand(
        xgboostJob('xgb-multi', bucket, 'wine', {
          num_round: '20',
          objective: 'multi:softprob',
          num_class: '3',
        }),
      ),
    );
    await c.sm.send(
      new CreateTrainingJobCommand(
        xgboostJob('xgb-regression', bucket, 'diabetes', {
          num_round: '25',
          objective: 'reg:squarederror',
          eta: '0.1',
        }),
      ),
    );
    const multi = await waitForJob(c.sm, 'xgb-multi');
    const reg = await waitForJob(c.sm, 'xgb-regression');
    expect(multi.TrainingJobStatus, multi.FailureReason).toBe('Completed');
    expect(reg.TrainingJobStatus, reg.FailureReason).toBe('Completed');
    const mlogloss = multi.FinalMetricDataList?.find((m) => m.MetricName === 'validation:mlogloss')?.Value;
    const rmse = reg.FinalMetricDataList?.find((m) => m.MetricName === 'validation:rmse')?.Value;
    expect(mlogloss).toBeDefined();
    expect(
      (await pythonEval(multi.ModelArtifacts!.S3ModelArtifacts!, 'wine', 'mlogloss')).metric,
    ).toBeCloseTo(mlogloss!, 4);
    expect((await pythonEval(reg.ModelArtifacts!.S3ModelArtifacts!, 'diabetes', 'rmse')).metric).toBeCloseTo(
      rmse!,
      3,
    );
  });

  it('fails a job with a bad hyperparameter, naming it in FailureReason', async () => {
    await c.sm.send(
      new CreateTrainingJobCommand(
        xgboostJob('xgb-bad-eta', bucket, 'diabetes', { num_round: '10', eta: '1.5' }),
      ),
    );
    const job = await waitForJob(c.sm, 'xgb-bad-eta');
    expect(job.TrainingJobStatus).toBe('Failed');
    expect(job.SecondaryStatus).toBe('Failed');
    expect(job.FailureReason).toMatch(/ClientError.*eta/);
  });

  it('fails a job whose input location is empty with a ClientError', async () => {
    const input = xgboostJob('xgb-no-data', bucket, 'nothing-here', { num_round: '10' });
    await c.sm.send(new CreateTrainingJobCommand(input));
    const job = await waitForJob(c.sm, 'xgb-no-data');
    expect(job.TrainingJobStatus).toBe('Failed');
    expect(job.FailureReason).toMatch(/^ClientError: Data download failed for channel 'train'/);
  });
});
