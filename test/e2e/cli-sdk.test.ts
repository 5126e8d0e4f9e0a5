/**
 * The TypeScript SDK (Session, XGBoost, SKLearn, Model, Predictor) and the `lathe deploy`,
 * `invoke` and `endpoints` commands against a real server.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Model,
  NumericCSVDeserializer,
  Session,
  SKLearn,
  UnexpectedStatusError,
  XGBoost,
  xgboostImageUri,
} from '../../src/sdk/index.js';
import { clientConfig, cliPath, repoRoot, startServer, type TestServer } from '../helpers/server.js';
import { datasetsDir, roleArn, xgboostImage } from '../helpers/training.js';

const run = promisify(execFile);
const bcValidation = join(datasetsDir, 'breast-cancer', 'validation.csv');
const rows: number[][] = execFileSync('head', ['-n', '5', bcValidation], { encoding: 'utf8' })
  .trim()
  .split('\n')
  .map((line) => line.split(',').slice(1).map(Number));

let server: TestServer;
let session: Session;
let sm: SageMakerClient;
let runtime: SageMakerRuntimeClient;
/** The XGBoost job trained through the SDK, deployed again by the CLI tests. */
let xgbJob: string;
let xgbModelData: string;

beforeAll(async () => {
  server = await startServer();
  session = new Session({
    endpoint: server.url,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  sm = session.clients.sagemaker;
  runtime = new SageMakerRuntimeClient(clientConfig(server));
}, 60_000);
afterAll(async () => {
  session?.close();
  runtime?.destroy();
  await server?.stop();
});

/** The raw runtime client's CSV predictions: the second path every SDK answer is checked against. */
async function rawPredictions(endpoint: string, body: string): Promise<number[]> {
  const out = await runtime.send(
    new InvokeEndpointCommand({ EndpointName: endpoint, ContentType: 'text/csv', Body: body }),
  );
  return new TextDecoder().decode(out.Body).trim().split('\n').map(Number);
}

/** Waits until DescribeEndpoint says the endpoint is gone. */
async function waitGone(name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await sm.send(new DescribeEndpointCommand({ EndpointName: name }));
    } catch (e) {
      expect((e as Error).name).toBe('ValidationException');
      return;
    }
    if (Date.now() > deadline) throw new Error(`${name} was not deleted`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('SDK', () => {
  it('XGBoost: fit on local files with logs, deploy, predict CSV and JSON, delete', async () => {
    const lines: string[] = [];
    const xgb = new XGBoost({
      role: roleArn,
      instanceCount: 1,
      instanceType: 'ml.m5.large',
      hyperParameters: { num_round: 20, objective: 'binary:logistic', eval_metric: 'auc', max_depth: 4 },
      session,
    });
    expect(xgb.imageUri).toBe(xgboostImage);
    const job = await xgb.fit(
      { train: join(datasetsDir, 'breast-cancer', 'train.csv'), validation: bcValidation },
      { logs: (line) => lines.push(line) },
    );
    xgbJob = job.name;
    expect(job.name).toMatch(/^sagemaker-xgboost-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-\d{3}$/);
    const d = job.description!;
    expect(d.TrainingJobStatus).toBe('Completed');
    expect(d.HyperParameters).toMatchObject({ num_round: '20', max_depth: '4' });
    expect(
      d.InputDataConfig?.map((c) => [c.ChannelName, c.ContentType, c.DataSource?.S3DataSource?.S3Uri]),
    ).toEqual([
      ['train', 'text/csv', `s3://sagemaker-us-east-1-000000000000/${job.name}/input/train/`],
      ['validation', 'text/csv', `s3://sagemaker-us-east-1-000000000000/${job.name}/input/validation/`],
    ]);
    xgbModelData = xgb.modelData!;
    expect(xgbModelData).toBe(`s3://sagemaker-us-east-1-000000000000/${job.name}/output/model.tar.gz`);
    // Status lines and the algorithm's own log lines, as the Python SDK's logs=True shows them.
    expect(lines.some((l) => /Completed - Completed/.test(l))).toBe(true);
    expect(lines.some((l) => /validation-auc:/.test(l))).toBe(true);

    const predictor = await xgb.deploy({ initialInstanceCount: 1, instanceType: 'ml.m5.large' });
    expect(predictor.endpointName).toBe(job.name);
    const endpoint = await sm.send(new DescribeEndpointCommand({ EndpointName: job.name }));
    expect(endpoint.EndpointStatus).toBe('InService');

    const expected = await rawPredictions(job.name, rows.map((r) => r.join(',')).join('\n'));
    expect(expected).toHaveLength(5);
    const csv = (await predictor.predict(rows)) as number[][];
    expect(csv.map((r) => r[0])).toEqual(expected);
    const typed = await predictor.predict(rows[0], {
      targetVariant: 'AllTraffic',
      deserializer: new NumericCSVDeserializer(),
    });
    expect(typed).toEqual([[expected[0]]]);
    expect(predictor.lastInvokedVariant).toBe('AllTraffic');
    const json = (await predictor.predict(
      { instances: rows.map((features) => ({ features })) },
      { contentType: 'application/json', accept: 'application/json' },
    )) as { predictions: { score: number }[] };
    expect(json.predictions).toHaveLength(5);
    for (const [i, p] of json.predictions.entries()) expect(p.score).toBeCloseTo(expected[i]!, 12);
    await expect(predictor.predict('a,b,c')).rejects.toMatchObject({ name: 'ModelError' });

    const modelName = (await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: job.name })))
      .ProductionVariants?.[0]?.ModelName;
    expect(modelName).toMatch(/^sagemaker-xgboost-/);
    await predictor.delete();
    await waitGone(job.name);
    await expect(
      sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: job.name })),
    ).rejects.toThrow(/Could not find/);
    await expect(sm.send(new DescribeModelCommand({ ModelName: modelName }))).rejects.toThrow(
      /Could not find/,
    );
  }, 120_000);

  it('Model: deploys an S3 artifact on a serverless endpoint', async () => {
    const model = new Model({
      imageUri: xgboostImageUri('us-east-1'),
      modelData: xgbModelData,
      role: roleArn,
      session,
    });
    const predictor = await model.deploy({
      endpointName: 'sdk-serverless',
      serverless: { memorySizeInMB: 2048, maxConcurrency: 2 },
    });
    const config = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'sdk-serverless' }));
    expect(config.ProductionVariants?.[0]?.ServerlessConfig).toEqual({
      MemorySizeInMB: 2048,
      MaxConcurrency: 2,
    });
    const body = rows.map((r) => r.join(',')).join('\n');
    expect(((await predictor.predict(body)) as number[][]).map((r) => r[0])).toEqual(
      await rawPredictions('sdk-serverless', body),
    );
    await predictor.delete({ deleteModel: false });
    await waitGone('sdk-serverless');
    expect((await sm.send(new DescribeModelCommand({ ModelName: model.name }))).ModelName).toBe(model.name);
    await model.delete();
  }, 60_000);

  it('SKLearn script mode: sourcedir.tar.gz, JSON-encoded hyperparameters, deploy with inference.py', async () => {
    const lines: string[] = [];
    const sk = new SKLearn({
      entryPoint: 'train.py',
      sourceDir: join(repoRoot, 'test', 'fixtures', 'scripts', 'sklearn'),
      role: roleArn,
      hyperParameters: { C: 0.5 },
      metricDefinitions: [{ Name: 'validation:accuracy', Regex: 'validation-accuracy=([0-9.]+)' }],
      session,
    });
    const job = await sk.fit(
      {
        train: join(datasetsDir, 'iris', 'train.csv'),
        validation: join(datasetsDir, 'iris', 'validation.csv'),
      },
      { logs: (line) => lines.push(line) },
    );
    const d = job.description!;
    expect(d.TrainingJobStatus, d.FailureReason).toBe('Completed');
    const source = `s3://sagemaker-us-east-1-000000000000/${job.name}/source/sourcedir.tar.gz`;
    expect(d.HyperParameters).toMatchObject({
      C: '0.5',
      sagemaker_program: '"train.py"',
      sagemaker_submit_directory: JSON.stringify(source),
      sagemaker_region: '"us-east-1"',
      sagemaker_container_log_level: '20',
      sagemaker_job_name: JSON.stringify(job.name),
    });
    expect(lines.some((l) => l.includes('C=0.5'))).toBe(true);
    expect(d.FinalMetricDataList?.[0]?.MetricName).toBe('validation:accuracy');
    expect(d.FinalMetricDataList?.[0]?.Value).toBeGreaterThan(0.8);

    // The archive our ustar writer made is one GNU tar reads.
    const obj = await session.clients.s3.send(
      new GetObjectCommand({
        Bucket: 'sagemaker-us-east-1-000000000000',
        Key: `${job.name}/source/sourcedir.tar.gz`,
      }),
    );
    const file = join(mkdtempSync(join(tmpdir(), 'lathe-src-')), 'sourcedir.tar.gz');
    writeFileSync(file, await obj.Body!.transformToByteArray());
    expect(execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n')).toEqual(
      expect.arrayContaining(['inference.py', 'train.py']),
    );

    const predictor = await sk.deploy({ entryPoint: 'inference.py', endpointName: 'sdk-sklearn' });
    const model = (await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'sdk-sklearn' })))
      .ProductionVariants?.[0]?.ModelName;
    const described = await sm.send(new DescribeModelCommand({ ModelName: model }));
    expect(described.PrimaryContainer?.Environment).toMatchObject({
      SAGEMAKER_PROGRAM: 'inference.py',
      SAGEMAKER_SUBMIT_DIRECTORY: source,
    });
    const out = (await predictor.predict([
      [5.1, 3.5, 1.4, 0.2],
      [6.7, 3.0, 5.2, 2.3],
    ])) as { labels: number[] };
    expect(out.labels).toEqual([0, 2]);
    await predictor.delete();
    await waitGone('sdk-sklearn');
  }, 120_000);

  it('fit throws UnexpectedStatusException when the job fails', async () => {
    const sk = new SKLearn({
      entryPoint: 'crash.py',
      sourceDir: join(repoRoot, 'test', 'fixtures', 'scripts', 'misc'),
      role: roleArn,
      session,
    });
    const failed = sk.fit(join(datasetsDir, 'iris', 'train.csv'), { logs: false });
    await expect(failed).rejects.toBeInstanceOf(UnexpectedStatusError);
    await expect(failed).rejects.toMatchObject({ name: 'UnexpectedStatusException', actual: 'Failed' });
  }, 60_000);
});

describe('lathe deploy / invoke / endpoints', () => {
  const lathe = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        [cliPath, '--endpoint-url', server.url, '--data-dir', server.dataDir, ...args],
        {
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' },
          timeout: 60_000,
        },
      );
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
    }
  };

  it('deploys a training job, invokes it with a body and a file, lists and deletes it', async () => {
    const deployed = await lathe('deploy', xgbJob, '--name', 'cli-bc');
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stdout).toContain('Endpoint cli-bc is InService.');
    expect(deployed.stdout).toContain('lathe invoke cli-bc');
    expect(deployed.stdout).toContain(xgbModelData);

    const body = rows.map((r) => r.join(',')).join('\n');
    const expected = await rawPredictions('cli-bc', body);
    const file = join(mkdtempSync(join(tmpdir(), 'lathe-cli-')), 'rows.csv');
    writeFileSync(file, `${body}\n`);
    const fromFile = await lathe('invoke', 'cli-bc', '--body', `@${file}`, '--content-type', 'text/csv');
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stdout.trim().split('\n').map(Number)).toEqual(expected);
    const inline = await lathe(
      'invoke',
      'cli-bc',
      '--body',
      rows[0]!.join(','),
      '--accept',
      'application/json',
      '--variant',
      'AllTraffic',
    );
    expect(inline.code, inline.stderr).toBe(0);
    expect(
      (JSON.parse(inline.stdout) as { predictions: { score: number }[] }).predictions[0]!.score,
    ).toBeCloseTo(expected[0]!, 12);

    const bad = await lathe('invoke', 'cli-bc', '--body', 'a,b,c');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^lathe: ModelError: /);

    const list = await lathe('endpoints', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAME\s+STATUS/);
    expect(list.stdout).toMatch(/^cli-bc\s+InService\s/m);
    const described = await lathe('endpoints', 'describe', 'cli-bc');
    expect(JSON.parse(described.stdout)).toMatchObject({
      EndpointName: 'cli-bc',
      EndpointStatus: 'InService',
    });

    const deleted = await lathe('endpoints', 'delete', 'cli-bc');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toMatch(/^Deleted endpoint cli-bc \(and endpoint config cli-bc, model /);
    await waitGone('cli-bc');
    const gone = await lathe('endpoints', 'describe', 'cli-bc');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^lathe: ValidationException: Could not find endpoint/);
  }, 90_000);

  it('deploys an s3:// model archive serverless; errors exit 1 with the AWS error name', async () => {
    const deployed = await lathe('deploy', xgbModelData, '--serverless', '--name', 'cli-sls', '--env', 'A=b');
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stdout).toContain('serverless, 2048 MB, max concurrency 5');
    const body = rows[1]!.join(',');
    const out = await lathe('invoke', 'cli-sls', '--body', body);
    expect(Number(out.stdout.trim())).toBe((await rawPredictions('cli-sls', body))[0]);
    expect((await lathe('endpoints', 'delete', 'cli-sls')).code).toBe(0);

    const missing = await lathe('deploy', 'no-such-job');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^lathe: ValidationException: /);
    const unknown = await lathe('invoke', 'no-such-endpoint', '--body', '1,2');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^lathe: ValidationError: Endpoint no-such-endpoint of account/);
    const badEnv = await lathe('deploy', xgbJob, '--env', 'novalue');
    expect(badEnv.code).toBe(1);
    expect(badEnv.stderr).toBe("lathe: --env expects KEY=VALUE, got 'novalue'\n");
  }, 90_000);
});
