// Endpoints of every topology come back after a kill -9: pipelines, multi-model, shadow variants
// (and their data capture).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateModelCommand, DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { createXgboostModel, deployEndpoint, trainXgboost } from '../helpers/endpoints.js';
import { createNodeModel, nodeImage } from '../helpers/node-model.js';
import { downloadObject } from '../helpers/objects.js';
import { clientConfig, startServer, type TestServer } from '../helpers/server.js';
import { firstValidationRow } from '../helpers/serving-fixture.js';
import { clients, roleArn, uploadDataset, xgboostImage } from '../helpers/training.js';

const bucket = 'topo-restart';
const dataDir = mkdtempSync(join(tmpdir(), 'lathe-topo-restart-'));
const servers: TestServer[] = [];
const env = { LATHE_DATA_CAPTURE_FLUSH_SECONDS: '0.3' };
afterAll(async () => {
  for (const s of servers.reverse()) await s.stop({ keepData: true }).catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a server killed with -9', () => {
  it('brings back pipeline, multi-model and shadow endpoints, capture included', async () => {
    const first = await startServer({ dataDir, env });
    servers.push(first);
    const c = clients(first);
    await uploadDataset(c.s3, bucket, 'breast-cancer');
    const job = await trainXgboost(c.sm, 'topo-xgb', bucket, 'breast-cancer', {
      num_round: '10',
      objective: 'binary:logistic',
    });
    const modelData = job.ModelArtifacts!.S3ModelArtifacts!;
    await createXgboostModel(c.sm, 'xgb', modelData);
    // Pipeline: a TypeScript container that drops the first CSV column, then XGBoost.
    await createNodeModel(
      c,
      bucket,
      'prep',
      `export const modelFn = () => ({});
export const transformFn = (m, body) => [body.toString().trim().split('\\n').map((l) => l.slice(l.indexOf(',') + 1)).join('\\n'), 'text/csv'];
`,
    );
    const prep = {
      Image: nodeImage,
      Environment: {
        SAGEMAKER_PROGRAM: 'inference.mjs',
        SAGEMAKER_SUBMIT_DIRECTORY: `s3://${bucket}/code/sourcedir.tar.gz`,
      },
    };
    await c.sm.send(
      new CreateModelCommand({
        ModelName: 'pipeline',
        ExecutionRoleArn: roleArn,
        Containers: [prep, { Image: xgboostImage, ModelDataUrl: modelData }],
      }),
    );
    await c.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'mme/m.tar.gz',
        Body: readFileSync(await downloadObject(c.s3, modelData)),
      }),
    );
    await c.sm.send(
      new CreateModelCommand({
        ModelName: 'mme',
        ExecutionRoleArn: roleArn,
        PrimaryContainer: { Image: xgboostImage, Mode: 'MultiModel', ModelDataUrl: `s3://${bucket}/mme/` },
      }),
    );
    await deployEndpoint(c.sm, 'pipeline', [{ model: 'pipeline' }]);
    await deployEndpoint(c.sm, 'mme', [{ model: 'mme' }]);
    await deployEndpoint(c.sm, 'shadowed', [{ name: 'Production', model: 'xgb' }], {
      ShadowProductionVariants: [
        { VariantName: 'Shadow', ModelName: 'xgb', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' },
      ],
      DataCaptureConfig: {
        InitialSamplingPercentage: 100,
        DestinationS3Uri: `s3://${bucket}/capture`,
        CaptureOptions: [{ CaptureMode: 'Input' }],
      },
    });
    await first.kill9();

    const second = await startServer({ dataDir, env });
    servers.push(second);
    const c2 = clients(second);
    const runtime = new SageMakerRuntimeClient(clientConfig(second));
    const row = firstValidationRow();
    const invoke = async (EndpointName: string, Body: string, extra: { TargetModel?: string } = {}) => {
      for (let i = 0; ; i++) {
        try {
          const r = await runtime.send(
            new InvokeEndpointCommand({ EndpointName, ContentType: 'text/csv', Body, ...extra }),
          );
          return Number(new TextDecoder().decode(r.Body));
        } catch (e) {
          if (i > 100) throw e;
          await new Promise((r) => setTimeout(r, 100)); // instances are starting again
        }
      }
    };
    const direct = await invoke('shadowed', row);
    expect(direct).toBeGreaterThanOrEqual(0);
    expect(await invoke('pipeline', `label,${row}`)).toBe(direct);
    expect(await invoke('mme', row, { TargetModel: 'm.tar.gz' })).toBe(direct);
    const described = await c2.sm.send(new DescribeEndpointCommand({ EndpointName: 'shadowed' }));
    expect(described.ShadowProductionVariants?.[0]?.VariantName).toBe('Shadow');
    let captured = 0;
    for (let i = 0; i < 50 && captured === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const listed = await c2.s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: 'capture/shadowed/' }),
      );
      captured = listed.KeyCount ?? 0;
    }
    expect(captured).toBeGreaterThan(0);
  }, 120_000);
});
