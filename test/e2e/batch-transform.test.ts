import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateTransformJobCommand,
  type CreateTransformJobCommandInput,
  DescribeTransformJobCommand,
  type DescribeTransformJobCommandOutput,
  ListTransformJobsCommand,
  StopTransformJobCommand,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createXgboostModel, trainXgboost } from '../helpers/endpoints.js';
import { createNodeModel } from '../helpers/node-model.js';
import { downloadObject } from '../helpers/objects.js';
import { pythonPredictions } from '../helpers/python.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { clients, datasetsDir, jobLogs, uploadDataset } from '../helpers/training.js';

const bucket = 'transform';
let server: TestServer;
let c: ReturnType<typeof clients>;
let modelTarGz: string;
const work = mkdtempSync(join(tmpdir(), 'lathe-bt-'));

/** Labelled rows of the breast-cancer dataset (label first), validation then train. */
const labelled = ['validation', 'train'].flatMap((part) =>
  readFileSync(join(datasetsDir, 'breast-cancer', `${part}.csv`), 'utf8')
    .trim()
    .split('\n'),
);
const featuresOf = (row: string) => row.split(',').slice(1).join(',');

/** Python xgboost 1.7's prediction for every row of features (no label column). */
function pythonPredictionsOf(rows: readonly string[]): number[] {
  const csv = join(mkdtempSync(join(work, 'py-')), 'x.csv');
  writeFileSync(csv, `${rows.join('\n')}\n`);
  return pythonPredictions(modelTarGz, csv, { labelled: false });
}

async function put(key: string, body: string | Buffer): Promise<void> {
  await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

async function get(key: string): Promise<string> {
  const obj = await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return obj.Body!.transformToString();
}

async function keysUnder(prefix: string): Promise<string[]> {
  const page = await c.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key!).sort();
}

const terminal = new Set(['Completed', 'Failed', 'Stopped']);

async function waitForTransform(
  name: string,
  timeoutMs = 120_000,
): Promise<DescribeTransformJobCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await c.sm.send(new DescribeTransformJobCommand({ TransformJobName: name }));
    if (terminal.has(d.TransformJobStatus ?? '')) return d;
    if (Date.now() > deadline) throw new Error(`${name} is still ${d.TransformJobStatus}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The transient deployment of a job leaves nothing behind once the job has ended. */
function deploymentGone(job: string): boolean {
  const dir = join(server.dataDir, 'endpoints', `__transform__${job}`);
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

function transformJob(
  name: string,
  input: string,
  output: string,
  extra: Partial<CreateTransformJobCommandInput> = {},
): CreateTransformJobCommandInput {
  return {
    TransformJobName: name,
    ModelName: 'bt-model',
    TransformInput: {
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${bucket}/${input}` } },
      ContentType: 'text/csv',
      SplitType: 'Line',
    },
    TransformOutput: { S3OutputPath: `s3://${bucket}/${output}`, AssembleWith: 'Line' },
    TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
    ...extra,
  };
}

beforeAll(async () => {
  server = await startServer();
  c = clients(server);
  await uploadDataset(c.s3, bucket, 'breast-cancer');
  const trained = await trainXgboost(c.sm, 'bt-train', bucket, 'breast-cancer', {
    num_round: '20',
    objective: 'binary:logistic',
    max_depth: '4',
  });
  expect(trained.TrainingJobStatus, trained.FailureReason).toBe('Completed');
  const artifacts = trained.ModelArtifacts!.S3ModelArtifacts!;
  await createXgboostModel(c.sm, 'bt-model', artifacts);
  modelTarGz = await downloadObject(c.s3, artifacts, join(work, 'model.tar.gz'));
}, 120_000);

afterAll(async () => {
  // The server restarted on the first one's data dir is not told to remove it.
  const dataDir = server?.dataDir;
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('batch transform with the built-in XGBoost model', () => {
  it('MultiRecord CSV in mini-batches, InputFilter, JoinSource Input and OutputFilter: every row as Python predicts', async () => {
    // ~1.5 MB: more than MaxPayloadInMB 1, so the object takes several requests.
    const big = Array.from({ length: 12 }, () => labelled).flat();
    await put('multi/in/big.csv', `${big.join('\n')}\n`);
    await put('multi/in/nested/small.csv', `${labelled.slice(0, 50).join('\n')}\n`);
    await c.sm.send(
      new CreateTransformJobCommand(
        transformJob('bt-multi', 'multi/in/', 'multi/out', {
          BatchStrategy: 'MultiRecord',
          MaxPayloadInMB: 1,
          MaxConcurrentTransforms: 2,
          TransformOutput: {
            S3OutputPath: `s3://${bucket}/multi/out`,
            Accept: 'text/csv',
            AssembleWith: 'Line',
          },
          DataProcessing: { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' },
          Tags: [{ Key: 'team', Value: 'ml' }],
        }),
      ),
    );
    const started = await c.sm.send(new DescribeTransformJobCommand({ TransformJobName: 'bt-multi' }));
    expect(started.TransformJobStatus).toBe('InProgress');
    const done = await waitForTransform('bt-multi');
    expect(done.TransformJobStatus, done.FailureReason).toBe('Completed');
    expect(done.ModelName).toBe('bt-model');
    expect(done.TransformJobArn).toBe(`arn:aws:sagemaker:us-east-1:000000000000:transform-job/bt-multi`);
    expect(done.DataProcessing).toEqual({
      InputFilter: '$[1:]',
      JoinSource: 'Input',
      OutputFilter: '$[0,-1]',
    });
    expect(done.MaxPayloadInMB).toBe(1);
    expect(done.TransformStartTime!.getTime()).toBeLessThanOrEqual(done.TransformEndTime!.getTime());
    expect(await keysUnder('multi/out')).toEqual(['multi/out/big.csv.out', 'multi/out/nested/small.csv.out']);

    for (const [key, rows] of [
      ['multi/out/big.csv.out', big],
      ['multi/out/nested/small.csv.out', labelled.slice(0, 50)],
    ] as const) {
      const expected = pythonPredictionsOf(rows.map(featuresOf));
      const lines = (await get(key)).split('\n');
      expect(lines.pop()).toBe(''); // AssembleWith Line: every record ends with a newline
      expect(lines).toHaveLength(rows.length);
      lines.forEach((line, i) => {
        const [label, prediction, ...rest] = line.split(',');
        expect(rest).toEqual([]);
        expect(label).toBe(rows[i]!.split(',')[0]);
        expect(Math.abs(Number(prediction) - expected[i]!)).toBeLessThan(1e-6);
      });
    }
    expect(deploymentGone('bt-multi')).toBe(true);
  });

  it('SingleRecord on two instances with JSON output: one response per record, in input order', async () => {
    const rows = labelled.slice(0, 120).map(featuresOf);
    await put('single/in/features.csv', `${rows.join('\n')}\n`);
    await c.sm.send(
      new CreateTransformJobCommand(
        transformJob('bt-single', 'single/in/features.csv', 'single/out/', {
          BatchStrategy: 'SingleRecord',
          MaxConcurrentTransforms: 4,
          TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 2 },
          TransformOutput: {
            S3OutputPath: `s3://${bucket}/single/out/`,
            Accept: 'application/json',
            AssembleWith: 'Line',
          },
        }),
      ),
    );
    const done = await waitForTransform('bt-single');
    expect(done.TransformJobStatus, done.FailureReason).toBe('Completed');
    const expected = pythonPredictionsOf(rows);
    const lines = (await get('single/out/features.csv.out')).trim().split('\n');
    expect(lines).toHaveLength(rows.length);
    lines.forEach((line, i) => {
      const parsed = JSON.parse(line) as { predictions: { score: number }[] };
      expect(parsed.predictions).toHaveLength(1);
      expect(Math.abs(parsed.predictions[0]!.score - expected[i]!)).toBeLessThan(1e-6);
    });
  });

  it('ManifestFile input: exactly the listed objects, outputs named after their manifest paths', async () => {
    const rowsX = labelled.slice(0, 30).map(featuresOf);
    const rowsZ = labelled.slice(30, 70).map(featuresOf);
    await put('manifest/data/x.csv', rowsX.join('\n'));
    await put('manifest/data/y/z.csv', rowsZ.join('\n'));
    await put('manifest/data/not-listed.csv', rowsX.join('\n'));
    await put(
      'manifest/input.manifest',
      JSON.stringify([{ prefix: `s3://${bucket}/manifest/data/` }, 'x.csv', 'y/z.csv']),
    );
    await c.sm.send(
      new CreateTransformJobCommand(
        transformJob('bt-manifest', 'manifest/input.manifest', 'manifest/out', {
          TransformInput: {
            DataSource: {
              S3DataSource: { S3DataType: 'ManifestFile', S3Uri: `s3://${bucket}/manifest/input.manifest` },
            },
            ContentType: 'text/csv',
            SplitType: 'Line',
          },
        }),
      ),
    );
    const done = await waitForTransform('bt-manifest');
    expect(done.TransformJobStatus, done.FailureReason).toBe('Completed');
    expect(await keysUnder('manifest/out')).toEqual(['manifest/out/x.csv.out', 'manifest/out/y/z.csv.out']);
    for (const [key, rows] of [
      ['manifest/out/x.csv.out', rowsX],
      ['manifest/out/y/z.csv.out', rowsZ],
    ] as const) {
      const expected = pythonPredictionsOf(rows);
      const got = (await get(key)).trim().split('\n').map(Number);
      expect(got).toHaveLength(rows.length);
      got.forEach((p, i) => {
        expect(Math.abs(p - expected[i]!)).toBeLessThan(1e-6);
      });
    }
  });

  it('fails on a malformed object with a FailureReason naming it and the model error; earlier outputs stay', async () => {
    await put('malformed/in/a-good.csv', labelled.slice(0, 10).map(featuresOf).join('\n'));
    await put('malformed/in/b-bad.csv', `${featuresOf(labelled[0]!)}\nnot,a,number\n`);
    await c.sm.send(
      new CreateTransformJobCommand(transformJob('bt-malformed', 'malformed/in', 'malformed/out')),
    );
    const done = await waitForTransform('bt-malformed');
    expect(done.TransformJobStatus).toBe('Failed');
    expect(done.FailureReason).toContain(`s3://${bucket}/malformed/in/b-bad.csv`);
    expect(done.FailureReason).toMatch(/the model answered 4\d\d: /);
    expect(done.TransformEndTime).toBeDefined();
    expect(await keysUnder('malformed/out')).toEqual(['malformed/out/a-good.csv.out']);
    expect(deploymentGone('bt-malformed')).toBe(true);
  });

  it('StopTransformJob stops in-flight work: Stopped, partial outputs kept, deployment removed', async () => {
    const rows = labelled.map(featuresOf);
    const body = `${Array.from({ length: 3 }, () => rows)
      .flat()
      .join('\n')}\n`;
    const objects = 12;
    for (let i = 0; i < objects; i++) await put(`stop/in/part-${String(i).padStart(2, '0')}.csv`, body);
    await c.sm.send(
      new CreateTransformJobCommand(
        transformJob('bt-stop', 'stop/in/', 'stop/out/', { BatchStrategy: 'SingleRecord' }),
      ),
    );
    const deadline = Date.now() + 60_000;
    while ((await keysUnder('stop/out/')).length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await c.sm.send(new StopTransformJobCommand({ TransformJobName: 'bt-stop' }));
    const stopping = await c.sm.send(new DescribeTransformJobCommand({ TransformJobName: 'bt-stop' }));
    expect(['Stopping', 'Stopped']).toContain(stopping.TransformJobStatus);
    const done = await waitForTransform('bt-stop');
    expect(done.TransformJobStatus).toBe('Stopped');
    expect(done.FailureReason).toBeUndefined();
    const written = await keysUnder('stop/out/');
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThan(objects);
    expect(deploymentGone('bt-stop')).toBe(true);
    await expect(
      c.sm.send(new StopTransformJobCommand({ TransformJobName: 'bt-stop' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Stopped'),
    });
  });

  it('answers validation errors naming the field, as SageMaker does', async () => {
    const create = (input: CreateTransformJobCommandInput) => c.sm.send(new CreateTransformJobCommand(input));
    const base = transformJob('bt-invalid', 'single/in/', 'invalid/out');
    await expect(
      create({ ...base, TransformInput: { ...base.TransformInput!, SplitType: 'RecordIO' } }),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('TransformInput.SplitType RecordIO is not supported'),
    });
    await expect(create({ ...base, MaxPayloadInMB: 101 })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'MaxPayloadInMB'"),
    });
    await expect(create({ ...base, MaxConcurrentTransforms: 20, MaxPayloadInMB: 6 })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('MaxConcurrentTransforms (20) × MaxPayloadInMB (6)'),
    });
    await expect(create({ ...base, DataProcessing: { InputFilter: '$..features' } })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('DataProcessing.InputFilter'),
    });
    await expect(
      create({
        ...base,
        TransformOutput: { S3OutputPath: `s3://${bucket}/o`, AssembleWith: 'Lines' as 'Line' },
      }),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'TransformOutput.AssembleWith'"),
    });
    await expect(create({ ...base, ModelName: 'no-such-model' })).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Could not find model "arn:aws:sagemaker:us-east-1:000000000000:model/no-such-model".',
    });
    await expect(create({ ...base, TransformJobName: 'bt-single' })).rejects.toMatchObject({
      name: 'ResourceInUse',
      message: expect.stringContaining('already exists'),
    });
    await expect(
      c.sm.send(new DescribeTransformJobCommand({ TransformJobName: 'bt-nope' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Could not find requested job with name bt-nope',
    });
    await expect(
      c.sm.send(new StopTransformJobCommand({ TransformJobName: 'bt-single' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('lists jobs with filters, sort and pagination', async () => {
    const all = await c.sm.send(
      new ListTransformJobsCommand({ NameContains: 'bt-', SortBy: 'Name', SortOrder: 'Ascending' }),
    );
    expect(all.TransformJobSummaries?.map((s) => s.TransformJobName)).toEqual([
      'bt-malformed',
      'bt-manifest',
      'bt-multi',
      'bt-single',
      'bt-stop',
    ]);
    const failed = await c.sm.send(new ListTransformJobsCommand({ StatusEquals: 'Failed' }));
    expect(failed.TransformJobSummaries?.map((s) => s.TransformJobName)).toEqual(['bt-malformed']);
    expect(failed.TransformJobSummaries?.[0]?.FailureReason).toContain('b-bad.csv');
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await c.sm.send(new ListTransformJobsCommand({ MaxResults: 2, NextToken: token }));
      expect(page.TransformJobSummaries!.length).toBeLessThanOrEqual(2);
      names.push(...page.TransformJobSummaries!.map((s) => s.TransformJobName!));
      token = page.NextToken;
    } while (token);
    // Default order: CreationTime, Descending.
    expect(names).toEqual(['bt-stop', 'bt-malformed', 'bt-manifest', 'bt-single', 'bt-multi']);
  });

  it('writes the model server’s output to /aws/sagemaker/TransformJobs, stream <job>/<instance>', async () => {
    await createNodeModel(
      c,
      bucket,
      'bt-logging-model',
      `export const modelFn = () => ({});
export const predictFn = (rows) => { console.log('scoring ' + rows.length + ' rows'); return rows.map((r) => r.length); };
`,
    );
    await put('logged/in/rows.csv', '1,2\n3,4,5\n');
    await c.sm.send(
      new CreateTransformJobCommand(
        transformJob('bt-logged', 'logged/in/', 'logged/out', { ModelName: 'bt-logging-model' }),
      ),
    );
    expect((await waitForTransform('bt-logged')).TransformJobStatus).toBe('Completed');
    let lines: string[] = [];
    for (let i = 0; i < 50 && !lines.some((l) => l.includes('scoring')); i++) {
      lines = await jobLogs(c.logs, 'bt-logged', '/aws/sagemaker/TransformJobs');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(lines.some((l) => /scoring \d+ rows/.test(l))).toBe(true);
  });

  it('after a crash, a job that was running is Failed with a FailureReason saying Lathe restarted', async () => {
    await c.sm.send(
      new CreateTransformJobCommand(
        transformJob('bt-crash', 'stop/in/', 'crash/out/', { BatchStrategy: 'SingleRecord' }),
      ),
    );
    const running = await c.sm.send(new DescribeTransformJobCommand({ TransformJobName: 'bt-crash' }));
    expect(running.TransformJobStatus).toBe('InProgress');
    await server.kill9();
    const dataDir = server.dataDir;
    server = await startServer({ dataDir });
    c = clients(server);
    const after = await c.sm.send(new DescribeTransformJobCommand({ TransformJobName: 'bt-crash' }));
    expect(after.TransformJobStatus).toBe('Failed');
    expect(after.FailureReason).toContain('Lathe restarted');
    expect(after.TransformEndTime).toBeDefined();
    const other = await c.sm.send(new DescribeTransformJobCommand({ TransformJobName: 'bt-multi' }));
    expect(other.TransformJobStatus).toBe('Completed');
  });
});
