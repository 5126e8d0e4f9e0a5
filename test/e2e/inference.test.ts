import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeModelCommand,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createXgboostModel,
  deployEndpoint,
  startXgboostJob,
  waitForEndpoint,
} from '../helpers/endpoints.js';
import { createNodeModel, nodeImage } from '../helpers/node-model.js';
import { downloadObject } from '../helpers/objects.js';
import { pythonPredictions } from '../helpers/python.js';
import { clientConfig, startServer, type TestServer } from '../helpers/server.js';
import { createSklearnModel } from '../helpers/sklearn-model.js';
import {
  clients,
  datasetsDir,
  roleArn,
  uploadDataset,
  waitForJob,
  xgboostImage,
} from '../helpers/training.js';

const bucket = 'serving';

/** The features (label dropped) of the first breast-cancer validation row. */
const firstValidationRow = () =>
  readFileSync(join(datasetsDir, 'breast-cancer', 'validation.csv'), 'utf8')
    .split('\n')[0]!
    .split(',')
    .slice(1)
    .join(',');
let server: TestServer;
let c: ReturnType<typeof clients>;
let runtime: SageMakerRuntimeClient;
let modelData: string;
let modelDataB: string;

beforeAll(async () => {
  server = await startServer({ env: { LATHE_DATA_CAPTURE_FLUSH_SECONDS: '0.5' } });
  c = clients(server);
  runtime = new SageMakerRuntimeClient(clientConfig(server));
  await uploadDataset(c.s3, bucket, 'breast-cancer');
  for (const [name, rounds] of [
    ['bc-a', '20'],
    ['bc-b', '40'],
  ] as const) {
    await startXgboostJob(c.sm, name, bucket, 'breast-cancer', {
      num_round: rounds,
      objective: 'binary:logistic',
      max_depth: '4',
    });
  }
  const a = await waitForJob(c.sm, 'bc-a');
  const b = await waitForJob(c.sm, 'bc-b');
  modelData = a.ModelArtifacts!.S3ModelArtifacts!;
  modelDataB = b.ModelArtifacts!.S3ModelArtifacts!;
  await createXgboostModel(c.sm, 'model-a', modelData);
  await createXgboostModel(c.sm, 'model-b', modelDataB);
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

describe('built-in XGBoost endpoints', () => {
  it('answers CSV and JSON with exactly the predictions Python xgboost makes', async () => {
    await deployEndpoint(c.sm, 'bc-endpoint', [{ name: 'AllTraffic', model: 'model-a', weight: 1 }]);
    const csvPath = join(datasetsDir, 'breast-cancer', 'validation.csv');
    const rows = readFileSync(csvPath, 'utf8').trim().split('\n');
    const features = rows.map((r) => r.split(',').slice(1).join(','));
    const expected = pythonPredictions(await downloadObject(c.s3, modelData), csvPath, { labelled: true });

    const csv = await runtime.send(
      new InvokeEndpointCommand({
        EndpointName: 'bc-endpoint',
        ContentType: 'text/csv',
        Body: features.join('\n'),
      }),
    );
    expect(csv.InvokedProductionVariant).toBe('AllTraffic');
    const got = new TextDecoder().decode(csv.Body).trim().split('\n').map(Number);
    expect(got).toHaveLength(expected.length);
    for (const [i, p] of got.entries()) expect(Math.abs(p - expected[i]!)).toBeLessThan(1e-6);

    // Rows sent one at a time are answered by the instance's in-process lane, the batch above
    // by its worker thread: the same text, row for row.
    const lines = new TextDecoder().decode(csv.Body).trim().split('\n');
    for (const [i, f] of features.entries()) {
      const one = await runtime.send(
        new InvokeEndpointCommand({ EndpointName: 'bc-endpoint', ContentType: 'text/csv', Body: f }),
      );
      expect(new TextDecoder().decode(one.Body).trim()).toBe(lines[i]);
    }

    // A large batch (≥ 256 rows) is answered by libxgboost rather than the evaluator: same bits.
    const trainPath = join(datasetsDir, 'breast-cancer', 'train.csv');
    const trainRows = readFileSync(trainPath, 'utf8').trim().split('\n');
    const big = await runtime.send(
      new InvokeEndpointCommand({
        EndpointName: 'bc-endpoint',
        ContentType: 'text/csv',
        Body: trainRows.map((r) => r.split(',').slice(1).join(',')).join('\n'),
      }),
    );
    const bigGot = new TextDecoder().decode(big.Body).trim().split('\n').map(Number);
    const bigExpected = pythonPredictions(await downloadObject(c.s3, modelData), trainPath, {
      labelled: true,
    });
    expect(bigGot).toHaveLength(455);
    for (const [i, p] of bigGot.entries()) expect(Math.abs(p - bigExpected[i]!)).toBeLessThan(1e-6);

    const json = await runtime.send(
      new InvokeEndpointCommand({
        EndpointName: 'bc-endpoint',
        ContentType: 'application/json',
        Accept: 'application/json',
        Body: JSON.stringify({
          instances: features.slice(0, 3).map((f) => ({ features: f.split(',').map(Number) })),
        }),
      }),
    );
    const parsed = JSON.parse(new TextDecoder().decode(json.Body)) as { predictions: { score: number }[] };
    for (const [i, p] of parsed.predictions.entries())
      expect(Math.abs(p.score - expected[i]!)).toBeLessThan(1e-6);
  });

  it('answers malformed payloads and unknown endpoints with 4xx, never 500', async () => {
    await expect(
      runtime.send(
        new InvokeEndpointCommand({ EndpointName: 'bc-endpoint', ContentType: 'text/csv', Body: 'a,b,c' }),
      ),
    ).rejects.toMatchObject({
      name: 'ModelError',
      $metadata: { httpStatusCode: 424 },
    });
    await expect(
      runtime.send(
        new InvokeEndpointCommand({ EndpointName: 'bc-endpoint', ContentType: 'image/png', Body: 'x' }),
      ),
    ).rejects.toMatchObject({
      name: 'ModelError',
      OriginalStatusCode: 415,
    });
    await expect(
      runtime.send(
        new InvokeEndpointCommand({ EndpointName: 'no-such-endpoint', ContentType: 'text/csv', Body: '1' }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Endpoint no-such-endpoint of account 000000000000 not found.',
    });
  });

  it('spreads traffic 30/70 over two variants, and TargetVariant pins', async () => {
    await deployEndpoint(c.sm, 'split', [
      { name: 'A', model: 'model-a', weight: 0.3 },
      { name: 'B', model: 'model-b', weight: 0.7 },
    ]);
    const row = firstValidationRow();
    const counts: Record<string, number> = { A: 0, B: 0 };
    const n = 600;
    for (let i = 0; i < n; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, () =>
          runtime.send(
            new InvokeEndpointCommand({ EndpointName: 'split', ContentType: 'text/csv', Body: row }),
          ),
        ),
      );
      for (const r of batch) counts[r.InvokedProductionVariant!]!++;
    }
    // Binomial(600, 0.3): sd ≈ 11.2; ±5 sd.
    expect(Math.abs(counts.A! - 180)).toBeLessThan(56);
    for (let i = 0; i < 20; i++) {
      const r = await runtime.send(
        new InvokeEndpointCommand({
          EndpointName: 'split',
          ContentType: 'text/csv',
          Body: row,
          TargetVariant: 'A',
        }),
      );
      expect(r.InvokedProductionVariant).toBe('A');
    }
    await expect(
      runtime.send(
        new InvokeEndpointCommand({
          EndpointName: 'split',
          ContentType: 'text/csv',
          Body: row,
          TargetVariant: 'C',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('updates to a new model under continuous load with zero failed requests', async () => {
    await deployEndpoint(c.sm, 'rolling', [{ name: 'AllTraffic', model: 'model-a', weight: 1, count: 2 }]);
    const row = firstValidationRow();
    const before = Number(
      new TextDecoder().decode(
        (
          await runtime.send(
            new InvokeEndpointCommand({ EndpointName: 'rolling', ContentType: 'text/csv', Body: row }),
          )
        ).Body,
      ),
    );
    await c.sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'rolling-config-2',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'model-b',
            InitialInstanceCount: 2,
            InstanceType: 'ml.m5.large',
          },
        ],
      }),
    );
    let failures = 0;
    let done = 0;
    let stop = false;
    const seen = new Set<number>();
    const load = Array.from({ length: 4 }, async () => {
      while (!stop) {
        try {
          const r = await runtime.send(
            new InvokeEndpointCommand({ EndpointName: 'rolling', ContentType: 'text/csv', Body: row }),
          );
          seen.add(Number(new TextDecoder().decode(r.Body)));
          done++;
        } catch {
          failures++;
        }
      }
    });
    await new Promise((r) => setTimeout(r, 200));
    await c.sm.send(
      new UpdateEndpointCommand({ EndpointName: 'rolling', EndpointConfigName: 'rolling-config-2' }),
    );
    await waitForEndpoint(c.sm, 'rolling', {
      until: (d) => d.EndpointStatus === 'Updating',
      timeoutMs: 60_000,
    }).catch(() => undefined);
    const final = await waitForEndpoint(c.sm, 'rolling');
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(load);
    expect(failures).toBe(0);
    expect(done).toBeGreaterThan(50);
    expect(final.EndpointConfigName).toBe('rolling-config-2');
    expect(seen.has(before)).toBe(true);
    expect(seen.size).toBe(2);
  });

  it('honours a canary DeploymentConfig: some traffic on the new fleet, then all of it', async () => {
    await deployEndpoint(c.sm, 'canary', [{ name: 'AllTraffic', model: 'model-a', weight: 1, count: 2 }]);
    const row = firstValidationRow();
    const invoke = async () =>
      new TextDecoder().decode(
        (
          await runtime.send(
            new InvokeEndpointCommand({ EndpointName: 'canary', ContentType: 'text/csv', Body: row }),
          )
        ).Body,
      );
    const oldAnswer = await invoke();
    await c.sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'canary-config-2',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'model-b',
            InitialInstanceCount: 2,
            InstanceType: 'ml.m5.large',
          },
        ],
      }),
    );
    const update = (DeploymentConfig: Record<string, unknown>) =>
      c.sm.send(
        new UpdateEndpointCommand({
          EndpointName: 'canary',
          EndpointConfigName: 'canary-config-2',
          // biome-ignore lint/suspicious/noExplicitAny: invalid shapes are the point of two calls
          DeploymentConfig: DeploymentConfig as any,
        }),
      );
    const canary = (Type: string, Value: number) => ({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: 'CANARY',
          WaitIntervalInSeconds: 2,
          CanarySize: { Type, Value },
        },
      },
    });
    await expect(update(canary('CAPACITY_PERCENT', 60))).rejects.toThrow(/CanarySize must be at most 50%/);
    await expect(
      update({ ...canary('INSTANCE_COUNT', 1), AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'a' }] } }),
    ).rejects.toThrow(/AutoRollbackConfiguration.Alarms/);
    expect((await c.sm.send(new DescribeEndpointCommand({ EndpointName: 'canary' }))).EndpointStatus).toBe(
      'InService',
    );

    await update(canary('INSTANCE_COUNT', 1)); // 1 of 2 instances: half the traffic
    // During the canary's wait the endpoint is Updating and both fleets answer.
    const during = new Map<string, number>();
    let status: string | undefined = 'Updating';
    for (let i = 0; i < 400 && status === 'Updating'; i++) {
      const answer = await invoke();
      during.set(answer, (during.get(answer) ?? 0) + 1);
      if (i % 20 === 0) {
        status = (await c.sm.send(new DescribeEndpointCommand({ EndpointName: 'canary' }))).EndpointStatus;
      }
      if (during.size === 2 && i > 60) break;
    }
    expect(during.size).toBe(2);
    expect(during.get(oldAnswer)).toBeGreaterThan(0);
    const final = await waitForEndpoint(c.sm, 'canary', { timeoutMs: 30_000 });
    expect(final.EndpointConfigName).toBe('canary-config-2');
    expect((final as { LastDeploymentConfig?: unknown }).LastDeploymentConfig).toMatchObject(
      canary('INSTANCE_COUNT', 1),
    );
    const after = new Set<string>();
    for (let i = 0; i < 20; i++) after.add(await invoke());
    expect([...after]).toHaveLength(1);
    expect(after.has(oldAnswer)).toBe(false);
  });

  it('deletes an endpoint in the middle of a long canary at once', async () => {
    await deployEndpoint(c.sm, 'canary-deleted', [{ name: 'AllTraffic', model: 'model-a', weight: 1 }]);
    await c.sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'canary-deleted-2',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'model-b',
            InitialInstanceCount: 2,
            InstanceType: 'ml.m5.large',
          },
        ],
      }),
    );
    await c.sm.send(
      new UpdateEndpointCommand({
        EndpointName: 'canary-deleted',
        EndpointConfigName: 'canary-deleted-2',
        DeploymentConfig: {
          BlueGreenUpdatePolicy: {
            TrafficRoutingConfiguration: {
              Type: 'CANARY',
              WaitIntervalInSeconds: 3600,
              CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 },
            },
          },
        },
      }),
    );
    await new Promise((r) => setTimeout(r, 500)); // the new fleet is up and the canary waits
    await c.sm.send(new DeleteEndpointCommand({ EndpointName: 'canary-deleted' }));
    const deadline = Date.now() + 15_000;
    for (;;) {
      const gone = await c.sm
        .send(new DescribeEndpointCommand({ EndpointName: 'canary-deleted' }))
        .then(() => false)
        .catch((e: Error) => /Could not find endpoint/.test(e.message));
      if (gone) break;
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});

describe('Python script-mode endpoints', () => {
  it('serves a scikit-learn model through inference.py and replaces a crashed instance', async () => {
    await createSklearnModel(c, bucket, 'sk-model');
    await deployEndpoint(c.sm, 'sk-endpoint', [{ model: 'sk-model' }]);
    const invoke = () =>
      runtime.send(
        new InvokeEndpointCommand({
          EndpointName: 'sk-endpoint',
          ContentType: 'text/csv',
          Body: '5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3',
        }),
      );
    const out = JSON.parse(new TextDecoder().decode((await invoke()).Body)) as {
      labels: number[];
      probabilities: number[][];
    };
    expect(out.labels).toEqual([0, 2]);
    expect(out.probabilities[0]).toHaveLength(3);

    // Kill the model server process: the fleet notices and starts a replacement.
    execFileSync('pkill', ['-9', '-f', `lathe_serve.py`]);
    const deadline = Date.now() + 30_000;
    let recovered = false;
    while (!recovered && Date.now() < deadline) {
      try {
        recovered = JSON.parse(new TextDecoder().decode((await invoke()).Body)).labels[0] === 0;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(recovered).toBe(true);
    const d = await c.sm.send(new DescribeEndpointCommand({ EndpointName: 'sk-endpoint' }));
    expect(d.ProductionVariants?.[0]?.CurrentInstanceCount).toBe(1);

    await expect(
      runtime.send(
        new InvokeEndpointCommand({ EndpointName: 'sk-endpoint', ContentType: 'image/png', Body: 'x' }),
      ),
    ).rejects.toMatchObject({ name: 'ModelError', OriginalStatusCode: 500 });
  });
});

describe('inference pipelines (Containers)', () => {
  // A TypeScript preprocessing container (drops the first CSV column: the label, or an id)
  // in front of the built-in XGBoost container.
  const dropFirstColumn = `export const modelFn = () => ({});
export const inputFn = (body) => body.toString('utf8').trim().split('\\n');
export const predictFn = (lines) => lines.map((l) => l.slice(l.indexOf(',') + 1));
export const outputFn = (lines) => [lines.join('\\n') + '\\n', 'text/csv'];
`;

  it('runs Serial containers in order, and Direct ones by TargetContainerHostname', async () => {
    await createNodeModel(c, bucket, 'prep-only', dropFirstColumn); // uploads the code archive
    const prep = {
      Image: nodeImage,
      Environment: {
        SAGEMAKER_PROGRAM: 'inference.mjs',
        SAGEMAKER_SUBMIT_DIRECTORY: `s3://${bucket}/code/sourcedir.tar.gz`,
      },
    };
    const xgb = { Image: xgboostImage, ModelDataUrl: modelData };
    await c.sm.send(
      new CreateModelCommand({
        ModelName: 'pipeline-serial',
        ExecutionRoleArn: roleArn,
        Containers: [prep, xgb],
      }),
    );
    await c.sm.send(
      new CreateModelCommand({
        ModelName: 'pipeline-direct',
        ExecutionRoleArn: roleArn,
        Containers: [
          { ...prep, ContainerHostname: 'prep' },
          { ...xgb, ContainerHostname: 'xgb' },
        ],
        InferenceExecutionConfig: { Mode: 'Direct' },
      }),
    );
    await expect(
      c.sm.send(
        new CreateModelCommand({
          ModelName: 'pipeline-unnamed',
          ExecutionRoleArn: roleArn,
          Containers: [prep, xgb],
          InferenceExecutionConfig: { Mode: 'Direct' },
        }),
      ),
    ).rejects.toThrow(/every container needs a ContainerHostname/);
    const described = await c.sm.send(new DescribeModelCommand({ ModelName: 'pipeline-direct' }));
    expect(described.Containers?.map((x) => x.ContainerHostname)).toEqual(['prep', 'xgb']);
    expect(described.InferenceExecutionConfig).toEqual({ Mode: 'Direct' });

    await deployEndpoint(c.sm, 'pipeline-serial', [{ model: 'pipeline-serial' }]);
    await deployEndpoint(c.sm, 'pipeline-direct', [{ model: 'pipeline-direct' }]);
    const csvPath = join(datasetsDir, 'breast-cancer', 'validation.csv');
    const labelled = readFileSync(csvPath, 'utf8').trim().split('\n');
    const expected = pythonPredictions(await downloadObject(c.s3, modelData), csvPath, { labelled: true });
    const invoke = async (endpoint: string, body: string, TargetContainerHostname?: string) =>
      new TextDecoder()
        .decode(
          (
            await runtime.send(
              new InvokeEndpointCommand({
                EndpointName: endpoint,
                ContentType: 'text/csv',
                Body: body,
                TargetContainerHostname,
              }),
            )
          ).Body,
        )
        .trim()
        .split('\n')
        .map(Number);

    // Serial: labelled rows in, the label dropped by the first container, XGBoost's predictions out.
    const serial = await invoke('pipeline-serial', labelled.join('\n'));
    expect(serial).toHaveLength(expected.length);
    for (const [i, p] of serial.entries()) expect(Math.abs(p - expected[i]!)).toBeLessThan(1e-6);

    // Direct: straight to the XGBoost container with features only.
    const features = labelled.slice(0, 5).map((r) => r.slice(r.indexOf(',') + 1));
    const direct = await invoke('pipeline-direct', features.join('\n'), 'xgb');
    for (const [i, p] of direct.entries()) expect(Math.abs(p - expected[i]!)).toBeLessThan(1e-6);
    await expect(invoke('pipeline-direct', features.join('\n'))).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('TargetContainerHostname'),
    });
    await expect(invoke('pipeline-direct', features.join('\n'), 'nope')).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });
});

describe('multi-model endpoints (Mode MultiModel)', () => {
  it('loads each TargetModel under the prefix on first use and answers with it', async () => {
    const fileA = await downloadObject(c.s3, modelData);
    const fileB = await downloadObject(c.s3, modelDataB);
    await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'mme/a.tar.gz', Body: readFileSync(fileA) }));
    await c.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'mme/team/b.tar.gz', Body: readFileSync(fileB) }),
    );
    await c.sm.send(
      new CreateModelCommand({
        ModelName: 'mme',
        ExecutionRoleArn: roleArn,
        PrimaryContainer: { Image: xgboostImage, Mode: 'MultiModel', ModelDataUrl: `s3://${bucket}/mme/` },
      }),
    );
    await deployEndpoint(c.sm, 'mme', [{ model: 'mme' }]);
    const csvPath = join(datasetsDir, 'breast-cancer', 'validation.csv');
    const features = readFileSync(csvPath, 'utf8')
      .trim()
      .split('\n')
      .slice(0, 20)
      .map((r) => r.slice(r.indexOf(',') + 1))
      .join('\n');
    const invoke = async (TargetModel?: string) =>
      new TextDecoder()
        .decode(
          (
            await runtime.send(
              new InvokeEndpointCommand({
                EndpointName: 'mme',
                ContentType: 'text/csv',
                Body: features,
                TargetModel,
              }),
            )
          ).Body,
        )
        .trim()
        .split('\n')
        .map(Number);
    const expectedA = pythonPredictions(fileA, csvPath, { labelled: true }).slice(0, 20);
    const expectedB = pythonPredictions(fileB, csvPath, { labelled: true }).slice(0, 20);
    for (const [target, expected] of [
      ['a.tar.gz', expectedA],
      ['team/b.tar.gz', expectedB],
      ['a.tar.gz', expectedA], // loaded already
    ] as const) {
      const got = await invoke(target);
      for (const [i, p] of got.entries()) expect(Math.abs(p - expected[i]!)).toBeLessThan(1e-6);
    }
    for (const [target, message] of [
      [undefined, /TargetModel/],
      ['missing.tar.gz', /Could not load TargetModel 'missing.tar.gz'/],
      ['../bc/model.tar.gz', /not a relative path/],
    ] as const) {
      await expect(invoke(target)).rejects.toMatchObject({
        name: 'ValidationError',
        message: expect.stringMatching(message),
      });
    }
    await expect(
      c.sm.send(
        new CreateModelCommand({
          ModelName: 'mme-no-prefix',
          ExecutionRoleArn: roleArn,
          PrimaryContainer: { Image: xgboostImage, Mode: 'MultiModel' },
        }),
      ),
    ).rejects.toThrow(/MultiModel container needs the S3 prefix/);
  });
});

describe('shadow variants (ShadowProductionVariants)', () => {
  it('copies requests to the shadow, answers from production only, and counts both', async () => {
    await deployEndpoint(c.sm, 'shadowed', [{ name: 'Production', model: 'model-a', weight: 1 }], {
      ShadowProductionVariants: [
        {
          VariantName: 'Shadow',
          ModelName: 'model-b',
          InitialInstanceCount: 1,
          InstanceType: 'ml.m5.large',
          InitialVariantWeight: 1, // as much as production: every request is copied
        },
      ],
    });
    const row = firstValidationRow();
    const answers = new Set<string>();
    for (let i = 0; i < 25; i++) {
      const r = await runtime.send(
        new InvokeEndpointCommand({ EndpointName: 'shadowed', ContentType: 'text/csv', Body: row }),
      );
      expect(r.InvokedProductionVariant).toBe('Production');
      answers.add(new TextDecoder().decode(r.Body));
    }
    expect(answers.size).toBe(1);
    const described = await c.sm.send(new DescribeEndpointCommand({ EndpointName: 'shadowed' }));
    expect(described.ProductionVariants?.map((v) => v.VariantName)).toEqual(['Production']);
    expect(described.ShadowProductionVariants).toMatchObject([
      { VariantName: 'Shadow', CurrentWeight: 1, CurrentInstanceCount: 1 },
    ]);
    // The shadow's copies are counted under its own name.
    let text = '';
    for (let i = 0; i < 50; i++) {
      text = await (await fetch(`${server.url}/metrics`)).text();
      if (text.includes('lathe_endpoint_invocations_total{endpoint="shadowed",variant="Shadow"} 25')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(text).toContain('lathe_endpoint_invocations_total{endpoint="shadowed",variant="Production"} 25');
    expect(text).toContain('lathe_endpoint_invocations_total{endpoint="shadowed",variant="Shadow"} 25');

    await expect(
      c.sm.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: 'two-shadows',
          ProductionVariants: [
            { VariantName: 'A', ModelName: 'model-a', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' },
            { VariantName: 'B', ModelName: 'model-b', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' },
          ],
          ShadowProductionVariants: [
            { VariantName: 'S', ModelName: 'model-b', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' },
          ],
        }),
      ),
    ).rejects.toThrow(/exactly one production variant/);
  });
});

describe('data capture (DataCaptureConfig)', () => {
  it('writes sampled invocations to S3 as SageMaker lays them out', async () => {
    await deployEndpoint(c.sm, 'captured', [{ model: 'model-a' }], {
      DataCaptureConfig: {
        EnableCapture: true,
        InitialSamplingPercentage: 100,
        DestinationS3Uri: `s3://${bucket}/capture/`,
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
        CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'] },
      },
    });
    const row = firstValidationRow();
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await runtime.send(
        new InvokeEndpointCommand({
          EndpointName: 'captured',
          ContentType: 'text/csv',
          Body: row,
          ...(i === 0 ? { InferenceId: 'first-call' } : {}),
        }),
      );
      answers.push(new TextDecoder().decode(r.Body));
    }
    // Written within LATHE_DATA_CAPTURE_FLUSH_SECONDS (0.5 s in these tests).
    let lines: string[] = [];
    const hour = new Date().toISOString().slice(0, 13).replace(/[-T]/g, '/');
    for (let i = 0; i < 100 && lines.length < 4; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const listed = await c.s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: 'capture/captured/' }),
      );
      lines = [];
      for (const o of listed.Contents ?? []) {
        expect(o.Key).toMatch(
          new RegExp(`^capture/captured/AllTraffic/${hour}/\\d{2}-\\d{2}-\\d{3}-[0-9a-f-]{36}\\.jsonl$`),
        );
        const text = await (
          await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }))
        ).Body!.transformToString();
        lines.push(...text.trim().split('\n'));
      }
    }
    expect(lines).toHaveLength(4);
    const records = lines.map((l) => JSON.parse(l));
    for (const [i, r] of records.entries()) {
      expect(r.eventVersion).toBe('0');
      expect(r.captureData.endpointInput).toEqual({
        observedContentType: 'text/csv',
        mode: 'INPUT',
        data: row,
        encoding: 'CSV',
      });
      // The model answers `text/csv; charset=utf-8`: listed as CSV once its parameters go.
      expect(r.captureData.endpointOutput).toMatchObject({
        mode: 'OUTPUT',
        encoding: 'CSV',
        data: answers[i],
      });
      expect(r.eventMetadata.inferenceTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    expect(records.filter((r) => r.eventMetadata.inferenceId === 'first-call')).toHaveLength(1);
    expect(new Set(records.map((r) => r.eventMetadata.eventId)).size).toBe(4);
  });
});
