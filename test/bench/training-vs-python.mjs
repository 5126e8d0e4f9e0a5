// Benchmark: built-in XGBoost training job wall time on Lathe vs bare Python `xgboost.train`
// on the same data and parameters, in the same run; and submit → training process running.
// Not a test: `npm run bench` prints the figures and writes test/bench/results/training.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { root, startLathe, waitFor } from './lib.mjs';

const work = mkdtempSync(join(tmpdir(), 'lathe-bench-'));
const ROWS_FACTOR = Number(process.env.BENCH_ROWS_FACTOR ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const params = {
  objective: 'binary:logistic',
  eval_metric: 'auc',
  max_depth: '6',
  eta: '0.3',
  tree_method: 'hist',
  num_round: '100',
};

// Real data (breast cancer), repeated to make training take measurable time.
const train = readFileSync(join(root, 'test/fixtures/datasets/breast-cancer/train.csv'), 'utf8').trim();
const validation = readFileSync(
  join(root, 'test/fixtures/datasets/breast-cancer/validation.csv'),
  'utf8',
).trim();
const bigTrain = `${Array(ROWS_FACTOR).fill(train).join('\n')}\n`;
const bigValidation = `${Array(ROWS_FACTOR).fill(validation).join('\n')}\n`;
writeFileSync(join(work, 'train.csv'), bigTrain);
writeFileSync(join(work, 'validation.csv'), bigValidation);
const rows = bigTrain.split('\n').length - 1;

const server = await startLathe();
const cfg = server.config;
const sm = new SageMakerClient(cfg);
const s3 = new S3Client({ ...cfg, forcePathStyle: true });
const logs = new CloudWatchLogsClient(cfg);
await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'big/train/train.csv', Body: bigTrain }));
await s3.send(
  new PutObjectCommand({ Bucket: 'bench', Key: 'big/validation/validation.csv', Body: bigValidation }),
);
await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'small/train/train.csv', Body: `${train}\n` }));

function job(name, dataset, hps, channels = ['train', 'validation']) {
  return new CreateTrainingJobCommand({
    TrainingJobName: name,
    AlgorithmSpecification: {
      TrainingImage: 'x.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
      TrainingInputMode: 'File',
    },
    RoleArn: 'arn:aws:iam::000000000000:role/bench',
    HyperParameters: hps,
    InputDataConfig: channels.map((c) => ({
      ChannelName: c,
      ContentType: 'text/csv',
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://bench/${dataset}/${c}/` } },
    })),
    OutputDataConfig: { S3OutputPath: 's3://bench/out' },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 5 },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
  });
}

// Polled slowly: the job's wall time comes from its own timestamps, and a busy poll would
// steal CPU from XGBoost's threads on a 2-core machine.
async function waitDone(name) {
  let d;
  await waitFor(
    async () => {
      d = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
      return ['Completed', 'Failed', 'Stopped'].includes(d.TrainingJobStatus);
    },
    3_600_000,
    250,
  );
  return d;
}

const pythonScript = `
import sys, time
t0 = time.perf_counter()
import numpy as np, xgboost as xgb
t_import = time.perf_counter()
tr = np.loadtxt(sys.argv[1], delimiter=','); va = np.loadtxt(sys.argv[2], delimiter=',')
dtr = xgb.DMatrix(tr[:, 1:], label=tr[:, 0]); dva = xgb.DMatrix(va[:, 1:], label=va[:, 0])
t_load = time.perf_counter()
p = {'objective': 'binary:logistic', 'eval_metric': 'auc', 'max_depth': 6, 'eta': 0.3, 'tree_method': 'hist'}
b = xgb.train(p, dtr, num_boost_round=100, evals=[(dtr, 'train'), (dva, 'validation')], verbose_eval=False)
b.save_model(sys.argv[3])
t_end = time.perf_counter()
print(t_import - t0, t_load - t_import, t_end - t_load)
`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const lathe = [];
const phases = [];
const python = [];
const pythonTrain = [];
for (let i = 0; i < RUNS; i++) {
  const name = `bench-${i}`;
  const t0 = Date.now();
  await sm.send(job(name, 'big', params));
  const d = await waitDone(name);
  if (d.TrainingJobStatus !== 'Completed') throw new Error(d.FailureReason);
  // Submit (client clock) → the job's recorded end: downloads, process, upload, all of it.
  lathe.push((d.TrainingEndTime.getTime() - t0) / 1000);
  phases.push(
    Object.fromEntries(d.SecondaryStatusTransitions.map((t) => [t.Status, (t.EndTime - t.StartTime) / 1000])),
  );

  const p0 = performance.now();
  const out = execFileSync(
    '/usr/bin/python3',
    ['-c', pythonScript, join(work, 'train.csv'), join(work, 'validation.csv'), join(work, 'py-model')],
    { encoding: 'utf8' },
  );
  python.push((performance.now() - p0) / 1000);
  const [, load, fit] = out.trim().split(' ').map(Number);
  pythonTrain.push(load + fit);
}

// Submit → training process running: from CreateTrainingJob to the child's first log line.
const startLatency = [];
for (let i = 0; i < 15; i++) {
  const name = `latency-${i}`;
  const t0 = Date.now();
  await sm.send(job(name, 'small', { num_round: '5' }, ['train']));
  const d = await waitDone(name);
  const stream = `${name}/algo-1-${Math.floor(d.TrainingStartTime.getTime() / 1000)}`;
  const ev = await logs.send(
    new GetLogEventsCommand({
      logGroupName: '/aws/sagemaker/TrainingJobs',
      logStreamName: stream,
      startFromHead: true,
    }),
  );
  const first = ev.events.find((e) => !e.message.startsWith('Lathe:'));
  startLatency.push(first.timestamp - t0);
}

const result = {
  date: new Date().toISOString(),
  data: `breast-cancer x${ROWS_FACTOR}: ${rows} train rows x 30 features`,
  params,
  runs: RUNS,
  latheJobWallSeconds: { median: median(lathe), all: lathe },
  lathePhasesSeconds: phases,
  pythonProcessWallSeconds: { median: median(python), all: python },
  pythonLoadAndTrainSeconds: { median: median(pythonTrain), all: pythonTrain },
  ratioJobVsPythonProcess: median(lathe) / median(python),
  ratioJobVsPythonLoadAndTrain: median(lathe) / median(pythonTrain),
  submitToRunningMs: { p50: median(startLatency), max: Math.max(...startLatency), all: startLatency },
};
mkdirSync(join(root, 'test/bench/results'), { recursive: true });
writeFileSync(join(root, 'test/bench/results/training.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
sm.destroy();
s3.destroy();
logs.destroy();
server.stop();
rmSync(server.dataDir, { recursive: true, force: true });
rmSync(work, { recursive: true, force: true });
