import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateTrainingJobCommand,
  type CreateTrainingJobCommandInput,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadObject } from '../helpers/objects.js';
import { repoRoot, startServer, type TestServer } from '../helpers/server.js';
import { clients, jobLogs, roleArn, uploadDataset, waitForJob } from '../helpers/training.js';

const bucket = 'scripts';
const sklearnImage = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
const nodeImage = 'lathe/lathe-node-training:latest';
let server: TestServer;
let c: ReturnType<typeof clients>;

beforeAll(async () => {
  server = await startServer();
  c = clients(server);
  await uploadDataset(c.s3, bucket, 'iris');
  await uploadDataset(c.s3, bucket, 'diabetes');
  for (const dir of ['sklearn', 'node', 'misc']) await uploadSource(dir);
});
afterAll(async () => {
  await server?.stop();
});

/** Packs a fixture directory as sourcedir.tar.gz, as the SageMaker Python SDK does. */
async function uploadSource(dir: string): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'lathe-src-'));
  const file = join(tmp, 'sourcedir.tar.gz');
  await tar.c({ gzip: true, file, cwd: join(repoRoot, 'test', 'fixtures', 'scripts', dir) }, ['.']);
  await c.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: `code/${dir}/sourcedir.tar.gz`, Body: readFileSync(file) }),
  );
}

function scriptJob(
  name: string,
  image: string,
  source: string,
  program: string,
  hps: Record<string, string>,
  dataset = 'iris',
  maxRuntime = 120,
): CreateTrainingJobCommandInput {
  return {
    TrainingJobName: name,
    AlgorithmSpecification: {
      TrainingImage: image,
      TrainingInputMode: 'File',
      MetricDefinitions: [
        { Name: 'validation:accuracy', Regex: 'validation-accuracy=([0-9.]+)' },
        { Name: 'loss', Regex: 'loss=(\\S+)' },
      ],
    },
    RoleArn: roleArn,
    // JSON-encoded values, as the SageMaker Python SDK sends script-mode hyperparameters.
    HyperParameters: {
      ...hps,
      sagemaker_program: JSON.stringify(program),
      sagemaker_submit_directory: JSON.stringify(`s3://${bucket}/code/${source}/sourcedir.tar.gz`),
    },
    InputDataConfig: ['train', 'validation'].map((ch) => ({
      ChannelName: ch,
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${bucket}/${dataset}/${ch}/` } },
    })),
    OutputDataConfig: { S3OutputPath: `s3://${bucket}/output` },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 5 },
    StoppingCondition: { MaxRuntimeInSeconds: maxRuntime },
  };
}

async function downloadTar(key: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lathe-out-'));
  await downloadObject(c.s3, `s3://${bucket}/${key}`, join(dir, 'a.tar.gz'));
  await tar.x({ file: join(dir, 'a.tar.gz'), cwd: dir });
  return dir;
}

describe('Python script mode', () => {
  it('runs a real scikit-learn script with the training toolkit contract', async () => {
    await c.sm.send(
      new CreateTrainingJobCommand(
        scriptJob('sk-iris', sklearnImage, 'sklearn', 'train.py', { C: '0.5', 'max-iter': '300' }),
      ),
    );
    const job = await waitForJob(c.sm, 'sk-iris');
    expect(job.TrainingJobStatus, job.FailureReason).toBe('Completed');
    const logs = await jobLogs(c.logs, 'sk-iris');
    expect(logs).toContain('C=0.5 channels=["train","validation"] hosts=["algo-1"]');
    const accuracy = job.FinalMetricDataList?.find((m) => m.MetricName === 'validation:accuracy')?.Value;
    expect(accuracy).toBeGreaterThan(0.8);

    // The model loads in Python and scores what the job reported.
    const modelDir = await downloadTar('output/sk-iris/output/model.tar.gz');
    const score = execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        'import sys,joblib,numpy as np; m=joblib.load(sys.argv[1]); d=np.loadtxt(sys.argv[2],delimiter=","); print(m.score(d[:,1:],d[:,0]))',
        join(modelDir, 'model.joblib'),
        join(repoRoot, 'test/fixtures/datasets/iris/validation.csv'),
      ],
      { encoding: 'utf8' },
    );
    expect(Number(score)).toBeCloseTo(accuracy!, 5);
    const outputDir = await downloadTar('output/sk-iris/output/output.tar.gz');
    expect(JSON.parse(readFileSync(join(outputDir, 'report.json'), 'utf8')).job).toBe('sk-iris');
  });

  it('fails a crashing script with its error in FailureReason', async () => {
    await c.sm.send(
      new CreateTrainingJobCommand(scriptJob('sk-crash', sklearnImage, 'misc', 'crash.py', {})),
    );
    const job = await waitForJob(c.sm, 'sk-crash');
    expect(job.TrainingJobStatus).toBe('Failed');
    expect(job.FailureReason).toMatch(
      /AlgorithmError: .*exited with code 1.*ValueError: column 7 has a string/,
    );
  });

  it('stops a running job on StopTrainingJob and still uploads its model', async () => {
    await c.sm.send(
      new CreateTrainingJobCommand(scriptJob('sk-stop', sklearnImage, 'misc', 'slow.py', { epochs: '1000' })),
    );
    await waitForJob(
      c.sm,
      'sk-stop',
      (j) => (j.FinalMetricDataList?.length ?? 0) > 0 || j.SecondaryStatus === 'Training',
    );
    await new Promise((r) => setTimeout(r, 800));
    await c.sm.send(new StopTrainingJobCommand({ TrainingJobName: 'sk-stop' }));
    const job = await waitForJob(c.sm, 'sk-stop');
    expect(job.TrainingJobStatus).toBe('Stopped');
    expect(job.SecondaryStatus).toBe('Stopped');
    expect(job.SecondaryStatusTransitions?.map((t) => t.Status)).toContain('Stopping');
    const modelDir = await downloadTar('output/sk-stop/output/model.tar.gz');
    expect(readFileSync(join(modelDir, 'model.txt'), 'utf8')).toMatch(/^epoch \d+/);
  });

  it('stops a job that runs past MaxRuntimeInSeconds', async () => {
    await c.sm.send(
      new CreateTrainingJobCommand(
        scriptJob('sk-timeout', sklearnImage, 'misc', 'slow.py', { epochs: '1000' }, 'iris', 2),
      ),
    );
    const job = await waitForJob(c.sm, 'sk-timeout');
    expect(job.TrainingJobStatus).toBe('Stopped');
    expect(job.SecondaryStatus).toBe('MaxRuntimeExceeded');
    expect(job.TrainingTimeInSeconds).toBeLessThan(10);
  });

  it('refuses a script-mode image without sagemaker_program', async () => {
    const input = scriptJob('sk-noprog', sklearnImage, 'misc', 'x.py', {});
    delete input.HyperParameters!.sagemaker_program;
    await expect(c.sm.send(new CreateTrainingJobCommand(input))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/sagemaker_program/),
    });
  });
});

describe('TypeScript script mode', () => {
  it('runs a TypeScript training script with the same contract', async () => {
    await c.sm.send(
      new CreateTrainingJobCommand(
        scriptJob('ts-linear', nodeImage, 'node', 'train.ts', { epochs: '8', lr: '0.05' }, 'diabetes'),
      ),
    );
    const job = await waitForJob(c.sm, 'ts-linear');
    expect(job.TrainingJobStatus, job.FailureReason).toBe('Completed');
    const losses = (await jobLogs(c.logs, 'ts-linear')).filter((l) => l.startsWith('epoch='));
    expect(losses).toHaveLength(8);
    expect(job.FinalMetricDataList?.find((m) => m.MetricName === 'loss')?.Value).toBe(
      Number(/loss=(\S+)/.exec(losses[7]!)![1]),
    );
    const modelDir = await downloadTar('output/ts-linear/output/model.tar.gz');
    const model = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
    expect(model.hps).toEqual({ epochs: 8, lr: 0.05 });
  });
});
