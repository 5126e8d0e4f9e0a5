/**
 * The inference control plane through the official JS SDK against a real server: models,
 * endpoint configurations and endpoints, their describe/list shapes, SageMaker's validation and
 * missing-resource quirks, and the endpoint status machine over the embedded fleet.
 */
import { rmSync } from 'node:fs';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  type CreateEndpointConfigCommandInput,
  CreateModelCommand,
  type CreateModelCommandInput,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointConfigsCommand,
  ListEndpointsCommand,
  ListModelsCommand,
  ListTagsCommand,
  type SageMakerClient,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainXgboost, waitForEndpoint } from '../helpers/endpoints.js';
import { clientConfig, startServer, type TestServer } from '../helpers/server.js';
import { clients, roleArn, uploadDataset, xgboostImage } from '../helpers/training.js';

const bucket = 'endpoint-control';
const account = '000000000000';
const arn = (type: string, name: string) => `arn:aws:sagemaker:us-east-1:${account}:${type}/${name}`;

let server: TestServer;
let sm: SageMakerClient;
let artifact: string;

beforeAll(async () => {
  server = await startServer();
  const c = clients(server);
  sm = c.sm;
  await uploadDataset(c.s3, bucket, 'breast-cancer');
  const job = await trainXgboost(sm, 'ecp-train', bucket, 'breast-cancer', {
    num_round: '10',
    objective: 'binary:logistic',
  });
  expect(job.TrainingJobStatus, job.FailureReason).toBe('Completed');
  artifact = job.ModelArtifacts!.S3ModelArtifacts!;
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

/** The error a call fails with: its code and message, as client code sees them. */
async function failure(call: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await call;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

const model = (name: string, extra: Partial<CreateModelCommandInput> = {}): CreateModelCommandInput => ({
  ModelName: name,
  ExecutionRoleArn: roleArn,
  PrimaryContainer: { Image: xgboostImage, ModelDataUrl: artifact },
  ...extra,
});

const twoVariants: CreateEndpointConfigCommandInput = {
  EndpointConfigName: 'Ecp-Config',
  ProductionVariants: [
    { VariantName: 'A', ModelName: 'Ecp-Model', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' },
    {
      VariantName: 'B',
      ModelName: 'ecp-model-s3',
      InitialInstanceCount: 1,
      InstanceType: 'ml.m5.large',
      InitialVariantWeight: 3,
    },
  ],
  DataCaptureConfig: {
    InitialSamplingPercentage: 20,
    DestinationS3Uri: `s3://${bucket}/capture`,
    CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
  },
};

describe('models', () => {
  it('creates a model from a trained artifact and describes it', async () => {
    const created = await sm.send(
      new CreateModelCommand(model('Ecp-Model', { Tags: [{ Key: 'team', Value: 'serving' }] })),
    );
    expect(created.ModelArn).toBe(arn('model', 'ecp-model'));
    const d = await sm.send(new DescribeModelCommand({ ModelName: 'Ecp-Model' }));
    expect(d).toMatchObject({
      ModelName: 'Ecp-Model',
      ModelArn: arn('model', 'ecp-model'),
      ExecutionRoleArn: roleArn,
      PrimaryContainer: { Image: xgboostImage, ModelDataUrl: artifact },
      EnableNetworkIsolation: false,
    });
    expect(d.CreationTime).toBeInstanceOf(Date);
    expect(Math.abs(d.CreationTime!.getTime() - Date.now())).toBeLessThan(60_000);
    const tags = await sm.send(new ListTagsCommand({ ResourceArn: created.ModelArn }));
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'serving' }]);

    await sm.send(
      new CreateModelCommand(
        model('ecp-model-s3', {
          PrimaryContainer: {
            Image: xgboostImage,
            ModelDataSource: {
              S3DataSource: { S3Uri: artifact, S3DataType: 'S3Object', CompressionType: 'Gzip' },
            },
          },
        }),
      ),
    );
  });

  it('refuses duplicates, unservable images and pipelines with half their hostnames', async () => {
    expect(await failure(sm.send(new CreateModelCommand(model('ECP-MODEL'))))).toMatchObject({
      name: 'ValidationException',
      status: 400,
      message: `Cannot create already existing model "${arn('model', 'ecp-model')}".`,
    });
    const nginx = await failure(
      sm.send(new CreateModelCommand(model('ecp-nginx', { PrimaryContainer: { Image: 'nginx:1.25' } }))),
    );
    expect(nginx.name).toBe('ValidationException');
    expect(nginx.message).toMatch(/PrimaryContainer\.Image 'nginx:1\.25' cannot run here/);
    const script = await failure(
      sm.send(
        new CreateModelCommand(
          model('ecp-torch', {
            PrimaryContainer: { Image: 'x.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1' },
          }),
        ),
      ),
    );
    expect(script.message).toMatch(/SAGEMAKER_PROGRAM/);
    const pipeline = await failure(
      sm.send(
        new CreateModelCommand({
          ModelName: 'ecp-pipeline',
          Containers: [{ Image: xgboostImage, ContainerHostname: 'first' }, { Image: xgboostImage }],
        }),
      ),
    );
    expect(pipeline.message).toMatch(/ContainerHostname to every container of the pipeline or to none/);
  });

  it('names the field of a malformed request', async () => {
    const bad = await failure(sm.send(new CreateModelCommand(model('bad_name'))));
    expect(bad.name).toBe('ValidationException');
    expect(bad.message).toMatch(
      /^1 validation error detected: Value "bad_name" at 'ModelName' failed to satisfy constraint/,
    );
    const role = await failure(
      sm.send(new CreateModelCommand(model('ecp-role', { ExecutionRoleArn: 'not-a-role' }))),
    );
    expect(role.message).toMatch(/at 'ExecutionRoleArn'/);
  });

  it('answers SageMaker’s message for a missing model', async () => {
    // One at a time: a call started before the loop awaits it could reject unhandled.
    for (const call of [
      () => sm.send(new DescribeModelCommand({ ModelName: 'No-Such-Model' })),
      () => sm.send(new DeleteModelCommand({ ModelName: 'No-Such-Model' })),
    ]) {
      expect(await failure(call())).toMatchObject({
        name: 'ValidationException',
        message: `Could not find model "${arn('model', 'no-such-model')}".`,
      });
    }
  });

  it('lists models newest first, page by page', async () => {
    const first = await sm.send(new ListModelsCommand({ MaxResults: 1, NameContains: 'ecp-model' }));
    expect(first.Models?.map((m) => m.ModelName)).toEqual(['ecp-model-s3']);
    expect(first.NextToken).toBeDefined();
    const second = await sm.send(
      new ListModelsCommand({ MaxResults: 1, NameContains: 'ecp-model', NextToken: first.NextToken }),
    );
    expect(second.Models).toEqual([
      { ModelName: 'Ecp-Model', ModelArn: arn('model', 'ecp-model'), CreationTime: expect.any(Date) },
    ]);
    expect(second.NextToken).toBeUndefined();
    const byName = await sm.send(
      new ListModelsCommand({ SortBy: 'Name', SortOrder: 'Ascending', NameContains: 'ecp' }),
    );
    expect(byName.Models?.map((m) => m.ModelName)).toEqual(['Ecp-Model', 'ecp-model-s3']);
  });
});

describe('endpoint configurations', () => {
  it('creates a two-variant configuration and describes it with defaults filled in', async () => {
    const created = await sm.send(new CreateEndpointConfigCommand(twoVariants));
    expect(created.EndpointConfigArn).toBe(arn('endpoint-config', 'ecp-config'));
    const d = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'Ecp-Config' }));
    expect(d.EndpointConfigName).toBe('Ecp-Config');
    expect(d.ProductionVariants?.map((v) => [v.VariantName, v.InitialVariantWeight])).toEqual([
      ['A', 1],
      ['B', 3],
    ]);
    expect(d.DataCaptureConfig).toEqual(twoVariants.DataCaptureConfig);
    expect(d.CreationTime).toBeInstanceOf(Date);
  });

  it('refuses duplicates, missing models and inconsistent variants, naming the field', async () => {
    expect(await failure(sm.send(new CreateEndpointConfigCommand(twoVariants)))).toMatchObject({
      name: 'ValidationException',
      message: `Cannot create already existing endpoint configuration "${arn('endpoint-config', 'ecp-config')}".`,
    });
    const variant = {
      VariantName: 'A',
      ModelName: 'Ecp-Model',
      InitialInstanceCount: 1,
      InstanceType: 'ml.m5.large',
    } as const;
    expect(
      await failure(
        sm.send(
          new CreateEndpointConfigCommand({
            EndpointConfigName: 'ecp-missing',
            ProductionVariants: [{ ...variant, ModelName: 'Ghost' }],
          }),
        ),
      ),
    ).toMatchObject({
      name: 'ValidationException',
      message: `Could not find model "${arn('model', 'ghost')}".`,
    });
    const weight = await failure(
      sm.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: 'ecp-weight',
          ProductionVariants: [{ ...variant, InitialVariantWeight: -1 }],
        }),
      ),
    );
    expect(weight.message).toMatch(/at 'ProductionVariants\.0\.InitialVariantWeight'/);
    const count = await failure(
      sm.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: 'ecp-count',
          ProductionVariants: [{ ...variant, InitialInstanceCount: undefined }],
        }),
      ),
    );
    expect(count.message).toMatch(/ProductionVariants\.0\.InitialInstanceCount is required/);
    const twice = await failure(
      sm.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: 'ecp-twice',
          ProductionVariants: [variant, variant],
        }),
      ),
    );
    expect(twice.message).toMatch(/ProductionVariants\.1\.VariantName.*unique/);
    const mixed = await failure(
      sm.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: 'ecp-mixed',
          ProductionVariants: [
            variant,
            {
              VariantName: 'S',
              ModelName: 'Ecp-Model',
              ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 2 },
            },
          ],
        }),
      ),
    );
    expect(mixed.message).toMatch(/serverless variants .* cannot be mixed/);
    const memory = await failure(
      sm.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: 'ecp-memory',
          ProductionVariants: [
            {
              VariantName: 'S',
              ModelName: 'Ecp-Model',
              ServerlessConfig: { MemorySizeInMB: 512, MaxConcurrency: 2 },
            },
          ],
        }),
      ),
    );
    expect(memory.message).toMatch(/at 'ProductionVariants\.0\.ServerlessConfig\.MemorySizeInMB'/);
  });

  it('answers SageMaker’s message for a missing configuration, and lists', async () => {
    expect(
      await failure(sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'Nope' }))),
    ).toMatchObject({
      name: 'ValidationException',
      message: `Could not find endpoint configuration "${arn('endpoint-config', 'nope')}".`,
    });
    const list = await sm.send(new ListEndpointConfigsCommand({ NameContains: 'ecp-config' }));
    expect(list.EndpointConfigs?.map((c) => c.EndpointConfigArn)).toEqual([
      arn('endpoint-config', 'ecp-config'),
    ]);
  });
});

describe('endpoints', () => {
  it('creates an endpoint that goes Creating → InService with both variants', async () => {
    const created = await sm.send(
      new CreateEndpointCommand({ EndpointName: 'Ecp-Endpoint', EndpointConfigName: 'Ecp-Config' }),
    );
    expect(created.EndpointArn).toBe(arn('endpoint', 'ecp-endpoint'));
    const first = await sm.send(new DescribeEndpointCommand({ EndpointName: 'Ecp-Endpoint' }));
    expect(['Creating', 'InService']).toContain(first.EndpointStatus);
    const d = await waitForEndpoint(sm, 'Ecp-Endpoint');
    expect(d).toMatchObject({
      EndpointName: 'Ecp-Endpoint',
      EndpointArn: arn('endpoint', 'ecp-endpoint'),
      EndpointConfigName: 'Ecp-Config',
      EndpointStatus: 'InService',
      DataCaptureConfig: {
        EnableCapture: true,
        CaptureStatus: 'Started',
        CurrentSamplingPercentage: 20,
        DestinationS3Uri: `s3://${bucket}/capture`,
      },
    });
    expect(d.FailureReason).toBeUndefined();
    expect(d.CreationTime).toBeInstanceOf(Date);
    expect(d.LastModifiedTime!.getTime()).toBeGreaterThanOrEqual(d.CreationTime!.getTime());
    expect(d.ProductionVariants).toEqual([
      expect.objectContaining({
        VariantName: 'A',
        CurrentWeight: 1,
        DesiredWeight: 1,
        CurrentInstanceCount: 1,
        DesiredInstanceCount: 1,
      }),
      expect.objectContaining({ VariantName: 'B', CurrentWeight: 3, DesiredWeight: 3 }),
    ]);
    expect(d.ProductionVariants?.[0]?.DeployedImages).toEqual([
      { SpecifiedImage: xgboostImage, ResolvedImage: xgboostImage, ResolutionTime: expect.any(Date) },
    ]);
  });

  it('refuses a duplicate endpoint and a missing configuration with SageMaker’s messages', async () => {
    expect(
      await failure(
        sm.send(
          new CreateEndpointCommand({ EndpointName: 'ecp-endpoint', EndpointConfigName: 'Ecp-Config' }),
        ),
      ),
    ).toMatchObject({
      name: 'ValidationException',
      message: `Cannot create already existing endpoint "${arn('endpoint', 'ecp-endpoint')}".`,
    });
    expect(
      await failure(
        sm.send(new CreateEndpointCommand({ EndpointName: 'ecp-other', EndpointConfigName: 'Nope' })),
      ),
    ).toMatchObject({
      name: 'ValidationException',
      message: `Could not find endpoint configuration "${arn('endpoint-config', 'nope')}".`,
    });
    const name = await failure(
      sm.send(
        new CreateEndpointCommand({ EndpointName: 'has_underscore', EndpointConfigName: 'Ecp-Config' }),
      ),
    );
    expect(name.message).toMatch(/at 'EndpointName' failed to satisfy constraint/);
  });

  it('lists endpoints newest first, filters and pages', async () => {
    await sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'ecp-single',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'Ecp-Model',
            InitialInstanceCount: 1,
            InstanceType: 'ml.m5.large',
          },
        ],
      }),
    );
    await sm.send(
      new CreateEndpointCommand({ EndpointName: 'ecp-second', EndpointConfigName: 'ecp-single' }),
    );
    // Updating an endpoint still being created is refused, as SageMaker does (if it is not up already).
    const early = await sm
      .send(new UpdateEndpointCommand({ EndpointName: 'ecp-second', EndpointConfigName: 'ecp-single' }))
      .then(
        () => undefined,
        (e: Error) => e,
      );
    if (early) {
      expect(early).toMatchObject({
        name: 'ValidationException',
        message: `Cannot update in-progress endpoint "${arn('endpoint', 'ecp-second')}".`,
      });
    }
    await waitForEndpoint(sm, 'ecp-second');

    const all = await sm.send(new ListEndpointsCommand({ NameContains: 'ecp-' }));
    expect(all.Endpoints?.map((e) => e.EndpointName)).toEqual(['ecp-second', 'Ecp-Endpoint']);
    expect(all.Endpoints?.[0]).toEqual({
      EndpointName: 'ecp-second',
      EndpointArn: arn('endpoint', 'ecp-second'),
      CreationTime: expect.any(Date),
      LastModifiedTime: expect.any(Date),
      EndpointStatus: 'InService',
    });
    const page1 = await sm.send(new ListEndpointsCommand({ NameContains: 'ecp-', MaxResults: 1 }));
    expect(page1.Endpoints?.map((e) => e.EndpointName)).toEqual(['ecp-second']);
    const page2 = await sm.send(
      new ListEndpointsCommand({ NameContains: 'ecp-', MaxResults: 1, NextToken: page1.NextToken }),
    );
    expect(page2.Endpoints?.map((e) => e.EndpointName)).toEqual(['Ecp-Endpoint']);
    expect(page2.NextToken).toBeUndefined();
    // A token belongs to its query.
    const replay = await failure(
      sm.send(new ListEndpointsCommand({ NameContains: 'ecp-s', NextToken: page1.NextToken })),
    );
    expect(replay.name).toBe('ValidationException');
    const asc = await sm.send(new ListEndpointsCommand({ NameContains: 'ecp-', SortOrder: 'Ascending' }));
    expect(asc.Endpoints?.map((e) => e.EndpointName)).toEqual(['Ecp-Endpoint', 'ecp-second']);
    const failed = await sm.send(new ListEndpointsCommand({ NameContains: 'ecp-', StatusEquals: 'Failed' }));
    expect(failed.Endpoints).toEqual([]);
    const future = await sm.send(
      new ListEndpointsCommand({ CreationTimeAfter: new Date(Date.now() + 60_000) }),
    );
    expect(future.Endpoints).toEqual([]);
  });

  it('changes weights and instance counts in place', async () => {
    const bad = await failure(
      sm.send(
        new UpdateEndpointWeightsAndCapacitiesCommand({
          EndpointName: 'Ecp-Endpoint',
          DesiredWeightsAndCapacities: [{ VariantName: 'Z', DesiredWeight: 1 }],
        }),
      ),
    );
    expect(bad).toMatchObject({ name: 'ValidationException' });
    expect(bad.message).toMatch(/DesiredWeightsAndCapacities\.0\.VariantName.*'Z'/);

    const r = await sm.send(
      new UpdateEndpointWeightsAndCapacitiesCommand({
        EndpointName: 'Ecp-Endpoint',
        DesiredWeightsAndCapacities: [
          { VariantName: 'A', DesiredWeight: 2, DesiredInstanceCount: 2 },
          { VariantName: 'B', DesiredWeight: 0 },
        ],
      }),
    );
    expect(r.EndpointArn).toBe(arn('endpoint', 'ecp-endpoint'));
    const d = await waitForEndpoint(sm, 'Ecp-Endpoint', { until: (e) => e.EndpointStatus === 'InService' });
    expect(
      d.ProductionVariants?.map((v) => [v.VariantName, v.DesiredWeight, v.DesiredInstanceCount]),
    ).toEqual([
      ['A', 2, 2],
      ['B', 0, 1],
    ]);
    const settled = await waitForEndpoint(sm, 'Ecp-Endpoint', {
      until: (e) => e.ProductionVariants?.[0]?.CurrentInstanceCount === 2,
    });
    expect(settled.ProductionVariants?.map((v) => [v.VariantName, v.CurrentWeight])).toEqual([
      ['A', 2],
      ['B', 0],
    ]);
  });

  it('keeps serving when its configuration and model are deleted', async () => {
    await sm.send(new DeleteEndpointConfigCommand({ EndpointConfigName: 'ecp-single' }));
    const d = await sm.send(new DescribeEndpointCommand({ EndpointName: 'ecp-second' }));
    expect(d).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'ecp-single' });
    expect(
      await failure(sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'ecp-single' }))),
    ).toMatchObject({ name: 'ValidationException' });
  });

  it('deletes an endpoint: Deleting, then gone with SageMaker’s message', async () => {
    await sm.send(new DeleteEndpointCommand({ EndpointName: 'ecp-second' }));
    const deadline = Date.now() + 60_000;
    let gone: { name: string; message: string } | undefined;
    while (!gone && Date.now() < deadline) {
      gone = await sm
        .send(new DescribeEndpointCommand({ EndpointName: 'ecp-second' }))
        .then((e) => {
          expect(e.EndpointStatus).toBe('Deleting');
          return undefined;
        })
        .catch((e: Error) => ({ name: e.name, message: e.message }));
      if (!gone) await new Promise((r) => setTimeout(r, 100));
    }
    expect(gone).toEqual({
      name: 'ValidationException',
      message: `Could not find endpoint "${arn('endpoint', 'ecp-second')}".`,
    });
    expect(await failure(sm.send(new DeleteEndpointCommand({ EndpointName: 'ecp-second' })))).toMatchObject({
      name: 'ValidationException',
      message: `Could not find endpoint "${arn('endpoint', 'ecp-second')}".`,
    });
    const left = await sm.send(new ListEndpointsCommand({ NameContains: 'ecp-' }));
    expect(left.Endpoints?.map((e) => e.EndpointName)).toEqual(['Ecp-Endpoint']);
  });

  it('deletes a model an endpoint runs; the endpoint keeps serving', async () => {
    await sm.send(new DeleteModelCommand({ ModelName: 'ecp-model-s3' }));
    expect(await failure(sm.send(new DescribeModelCommand({ ModelName: 'ecp-model-s3' })))).toMatchObject({
      message: `Could not find model "${arn('model', 'ecp-model-s3')}".`,
    });
    const d = await sm.send(new DescribeEndpointCommand({ EndpointName: 'Ecp-Endpoint' }));
    expect(d.EndpointStatus).toBe('InService');
  });
});

describe('endpoints across restarts', () => {
  it('serves again after kill -9, and finishes a deletion after a restart', async () => {
    const first = await startServer();
    const dataDir = first.dataDir;
    const started: TestServer[] = [first];
    try {
      const c = clients(first);
      await uploadDataset(c.s3, 'restart-data', 'breast-cancer');
      const job = await trainXgboost(c.sm, 'rs-train', 'restart-data', 'breast-cancer', {
        num_round: '5',
        objective: 'binary:logistic',
      });
      await c.sm.send(
        new CreateModelCommand({
          ModelName: 'rs-model',
          PrimaryContainer: { Image: xgboostImage, ModelDataUrl: job.ModelArtifacts!.S3ModelArtifacts! },
        }),
      );
      await c.sm.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: 'rs-config',
          ProductionVariants: [
            {
              VariantName: 'AllTraffic',
              ModelName: 'rs-model',
              InitialInstanceCount: 1,
              InstanceType: 'ml.m5.large',
            },
          ],
        }),
      );
      for (const name of ['rs-kept', 'rs-gone']) {
        await c.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: 'rs-config' }));
      }
      await waitForEndpoint(c.sm, 'rs-kept');
      await waitForEndpoint(c.sm, 'rs-gone');
      await first.kill9();

      const second = await startServer({ dataDir });
      started.push(second);
      const sm2 = clients(second).sm;
      const d = await sm2.send(new DescribeEndpointCommand({ EndpointName: 'rs-kept' }));
      expect(d.EndpointStatus).toBe('InService');
      const runtime = new SageMakerRuntimeClient(clientConfig(second));
      const row = Array.from({ length: 30 }, () => '1').join(',');
      let answered = false;
      for (let i = 0; i < 200 && !answered; i++) {
        answered = await runtime
          .send(new InvokeEndpointCommand({ EndpointName: 'rs-kept', ContentType: 'text/csv', Body: row }))
          .then(
            () => true,
            () => false,
          );
        if (!answered) await new Promise((r) => setTimeout(r, 100));
      }
      expect(answered).toBe(true);
      await sm2.send(new DeleteEndpointCommand({ EndpointName: 'rs-gone' }));
      await second.stop({ keepData: true });

      const third = await startServer({ dataDir });
      started.push(third);
      const sm3 = clients(third).sm;
      expect((await sm3.send(new DescribeEndpointCommand({ EndpointName: 'rs-kept' }))).EndpointStatus).toBe(
        'InService',
      );
      const gone = await failure(waitForEndpoint(sm3, 'rs-gone', { until: () => false }));
      expect(gone.message).toBe(`Could not find endpoint "${arn('endpoint', 'rs-gone')}".`);
    } finally {
      for (const s of started.reverse()) await s.stop({ keepData: true }).catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
