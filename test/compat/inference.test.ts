import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { CreateTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startServer, type TestServer } from '../helpers/server.js';
import { clients, datasetsDir, uploadDataset, waitForJob, xgboostJob } from '../helpers/training.js';

/** Inference driven by the real AWS CLI (Debian's awscli v2) and boto3, checked against Python xgboost. */
const run = promisify(execFile);
const AWS_CLI = '/usr/bin/aws';
const csvPath = join(datasetsDir, 'breast-cancer', 'validation.csv');
let server: TestServer;
let work: string;
let modelData: string;
let modelFile: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  server = await startServer();
  const c = clients(server);
  await uploadDataset(c.s3, 'compat-inf', 'breast-cancer');
  await c.sm.send(
    new CreateTrainingJobCommand(
      xgboostJob('compat-xgb', 'compat-inf', 'breast-cancer', {
        num_round: '25',
        objective: 'binary:logistic',
      }),
    ),
  );
  const job = await waitForJob(c.sm, 'compat-xgb');
  modelData = job.ModelArtifacts!.S3ModelArtifacts!;
  work = mkdtempSync(join(tmpdir(), 'lathe-compat-inf-'));
  const obj = await c.s3.send(
    new GetObjectCommand({ Bucket: 'compat-inf', Key: modelData.replace('s3://compat-inf/', '') }),
  );
  writeFileSync(join(work, 'model.tar.gz'), Buffer.from(await obj.Body!.transformToByteArray()));
  await run('tar', ['-xzf', 'model.tar.gz'], { cwd: work });
  modelFile = join(work, 'xgboost-model');
  env = {
    PATH: '/usr/bin:/bin',
    HOME: work,
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  };
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

async function aws(args: string[]): Promise<string> {
  const { stdout } = await run(AWS_CLI, [...args, '--endpoint-url', server.url], { env, cwd: work });
  return stdout;
}

async function pythonPredictions(): Promise<number[]> {
  const { stdout } = await run('/usr/bin/python3', [
    '-c',
    'import sys,numpy as np,xgboost as xgb\nb=xgb.Booster();b.load_model(sys.argv[1])\nd=np.loadtxt(sys.argv[2],delimiter=",",ndmin=2)\nprint("\\n".join(repr(float(p)) for p in b.predict(xgb.DMatrix(d[:,1:]))))',
    modelFile,
    csvPath,
  ]);
  return stdout.trim().split('\n').map(Number);
}

describe('inference with the AWS CLI', () => {
  it('creates a model, config and endpoint, and invoke-endpoint returns Python xgboost predictions', async () => {
    const image = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
    await aws([
      'sagemaker',
      'create-model',
      '--model-name',
      'cli-xgb',
      '--execution-role-arn',
      'arn:aws:iam::000000000000:role/lathe',
      '--primary-container',
      `Image=${image},ModelDataUrl=${modelData}`,
    ]);
    await aws([
      'sagemaker',
      'create-endpoint-config',
      '--endpoint-config-name',
      'cli-xgb',
      '--production-variants',
      'VariantName=AllTraffic,ModelName=cli-xgb,InitialInstanceCount=1,InstanceType=ml.m5.large',
    ]);
    await aws([
      'sagemaker',
      'create-endpoint',
      '--endpoint-name',
      'cli-xgb',
      '--endpoint-config-name',
      'cli-xgb',
    ]);
    let status = '';
    for (let i = 0; i < 100 && status !== 'InService'; i++) {
      status = JSON.parse(
        await aws(['sagemaker', 'describe-endpoint', '--endpoint-name', 'cli-xgb']),
      ).EndpointStatus;
      if (status !== 'InService') await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe('InService');
    const features = readFileSync(csvPath, 'utf8')
      .trim()
      .split('\n')
      .map((r) => r.split(',').slice(1).join(','));
    writeFileSync(join(work, 'body.csv'), features.join('\n'));
    const meta = JSON.parse(
      await aws([
        'sagemaker-runtime',
        'invoke-endpoint',
        '--endpoint-name',
        'cli-xgb',
        '--content-type',
        'text/csv',
        '--body',
        'fileb://body.csv',
        'out.txt',
      ]),
    );
    expect(meta.InvokedProductionVariant).toBe('AllTraffic');
    const got = readFileSync(join(work, 'out.txt'), 'utf8').trim().split('\n').map(Number);
    const expected = await pythonPredictions();
    expect(got).toHaveLength(expected.length);
    for (const [i, p] of got.entries()) expect(Math.abs(p - expected[i]!)).toBeLessThan(1e-6);

    const missing = await run(
      AWS_CLI,
      ['sagemaker', 'describe-endpoint', '--endpoint-name', 'nope', '--endpoint-url', server.url],
      { env, cwd: work },
    ).catch((e: { stderr: string }) => e);
    expect((missing as { stderr: string }).stderr).toMatch(/ValidationException.*Could not find endpoint/);
  });
});

describe('inference with boto3', () => {
  it('deploys, invokes with CSV and JSON, and answers errors as SageMaker does', async () => {
    const { stdout } = await run(
      '/usr/bin/python3',
      [join(repoRoot, 'test/fixtures/compat/boto3_inference.py'), server.url, modelData, csvPath, modelFile],
      {
        env: { ...env, PYTHONDONTWRITEBYTECODE: '1' },
        timeout: 60_000,
      },
    );
    const s = JSON.parse(stdout);
    expect(s.statuses.at(-1)).toBe('InService');
    expect(s.variant).toBe('AllTraffic');
    expect(s.rows).toBe(114);
    expect(s.maxCsvDiff).toBeLessThan(1e-6);
    expect(s.maxJsonDiff).toBeLessThan(1e-6);
    expect(s.modelError).toMatchObject({ code: 'ModelError', status: 424 });
    expect(s.missingEndpoint).toMatchObject({
      code: 'ValidationError',
      status: 400,
      message: 'Endpoint nope of account 000000000000 not found.',
    });
    expect(s.describeMissing).toMatchObject({
      code: 'ValidationException',
      message: expect.stringContaining('Could not find endpoint'),
    });
    expect(s.afterDelete?.code).toBe('ValidationException');
  });
});
