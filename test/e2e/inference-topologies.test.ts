// Endpoint topologies beyond plain variants: inference pipelines, multi-model endpoints,
// shadow variants, and data capture.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeModelCommand,
} from '@aws-sdk/client-sagemaker';
import {
  InvokeEndpointAsyncCommand,
  InvokeEndpointCommand,
  type SageMakerRuntimeClient,
} from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NumericCSVDeserializer, Predictor, Session } from '../../src/sdk/index.js';
import { deployEndpoint } from '../helpers/endpoints.js';
import { createNodeModel, nodeImage } from '../helpers/node-model.js';
import { downloadObject, pollForObject } from '../helpers/objects.js';
import { pythonPredictions } from '../helpers/python.js';
import { firstValidationRow, type ServingFixture, startServingFixture } from '../helpers/serving-fixture.js';
import { datasetsDir, roleArn, xgboostImage } from '../helpers/training.js';

const bucket = 'topologies';
let fixture: ServingFixture;
let c: ServingFixture['c'];
let runtime: SageMakerRuntimeClient;
let modelData: string;
let modelDataB: string;

beforeAll(async () => {
  fixture = await startServingFixture(bucket, { LATHE_DATA_CAPTURE_FLUSH_SECONDS: '0.5' });
  ({ c, runtime, modelData, modelDataB } = fixture);
}, 120_000);
afterAll(async () => {
  await fixture?.server.stop();
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
    // The TypeScript SDK names the model the same way (the Python SDK's target_model).
    const session = new Session({
      endpoint: fixture.server.url,
      region: fixture.server.region,
      credentials: {
        accessKeyId: fixture.server.accessKeyId,
        secretAccessKey: fixture.server.secretAccessKey,
      },
    });
    const sdk = (await new Predictor('mme', session).predict(features, {
      targetModel: 'team/b.tar.gz',
      deserializer: new NumericCSVDeserializer(),
    })) as number[][];
    for (const [i, p] of sdk.flat().entries()) expect(Math.abs(p - expectedB[i]!)).toBeLessThan(1e-6);
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
      text = await (await fetch(`${fixture.server.url}/metrics`)).text();
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

  it('captures asynchronous invocations too, with their InferenceId', async () => {
    await deployEndpoint(c.sm, 'captured-async', [{ model: 'model-a' }], {
      AsyncInferenceConfig: { OutputConfig: { S3OutputPath: `s3://${bucket}/async-out/` } },
      DataCaptureConfig: {
        InitialSamplingPercentage: 100,
        DestinationS3Uri: `s3://${bucket}/capture-async`,
        CaptureOptions: [{ CaptureMode: 'InputAndOutput' }],
        CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'] },
      },
    });
    const row = firstValidationRow();
    await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'async-in/row.csv', Body: row }));
    const accepted = await runtime.send(
      new InvokeEndpointAsyncCommand({
        EndpointName: 'captured-async',
        InputLocation: `s3://${bucket}/async-in/row.csv`,
        ContentType: 'text/csv',
        InferenceId: 'async-call-1',
      }),
    );
    const answer = await pollForObject(c.s3, [accepted.OutputLocation!], 30_000);
    let record:
      | { captureData: Record<string, { data: string }>; eventMetadata: { inferenceId?: string } }
      | undefined;
    for (let i = 0; i < 100 && !record; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const listed = await c.s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: 'capture-async/captured-async/' }),
      );
      const key = listed.Contents?.[0]?.Key;
      if (key) {
        const text = await (
          await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
        ).Body!.transformToString();
        record = JSON.parse(text.trim().split('\n')[0]!);
      }
    }
    expect(record?.eventMetadata.inferenceId).toBe('async-call-1');
    expect(record?.captureData.endpointInput?.data).toBe(row);
    expect(record?.captureData.endpointOutput?.data).toBe(answer.text);
  });
});
