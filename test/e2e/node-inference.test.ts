import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  DescribeEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, waitForEndpoint } from '../helpers/endpoints.js';
import { createNodeModel } from '../helpers/node-model.js';
import { createScriptModel } from '../helpers/script-model.js';
import { clientConfig, repoRoot, startServer, type TestServer } from '../helpers/server.js';
import { clients } from '../helpers/training.js';

let server: TestServer;
let c: ReturnType<typeof clients>;
let runtime: SageMakerRuntimeClient;

beforeAll(async () => {
  server = await startServer();
  c = clients(server);
  runtime = new SageMakerRuntimeClient(clientConfig(server));
});
afterAll(async () => {
  await server?.stop();
});

describe('TypeScript script-mode endpoints', () => {
  it('serve a model through inference.ts hooks in a model-server process', async () => {
    // model.tar.gz = model.json + code/inference.ts, as the SageMaker SDKs package script models.
    await c.s3.send(new CreateBucketCommand({ Bucket: 'ts-models' }));
    await createScriptModel(c, 'ts-models', 'ts-linear', {
      image: 'lathe/lathe-node-inference:latest',
      program: 'inference.ts',
      files: {
        'model.json': JSON.stringify({ w: 2, b: 1 }),
        'code/inference.ts': readFileSync(join(repoRoot, 'test/fixtures/scripts/node/inference.ts')),
      },
    });
    await c.sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'ts-linear',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'ts-linear',
            InitialInstanceCount: 1,
            InstanceType: 'ml.m5.large',
          },
        ],
      }),
    );
    await c.sm.send(
      new CreateEndpointCommand({ EndpointName: 'ts-linear', EndpointConfigName: 'ts-linear' }),
    );
    await waitForEndpoint(c.sm, 'ts-linear', { timeoutMs: 30_000 });
    const json = await runtime.send(
      new InvokeEndpointCommand({ EndpointName: 'ts-linear', ContentType: 'text/csv', Body: '1\n2.5\n-3' }),
    );
    expect(json.ContentType).toBe('application/json');
    expect(JSON.parse(new TextDecoder().decode(json.Body))).toEqual({ predictions: [3, 6, -5] });
    const csv = await runtime.send(
      new InvokeEndpointCommand({
        EndpointName: 'ts-linear',
        ContentType: 'text/csv',
        Accept: 'text/csv',
        Body: '10',
      }),
    );
    expect(new TextDecoder().decode(csv.Body)).toBe('21\n');
    // A payload the default input decoder refuses: the model server's 415 comes back as ModelError.
    await expect(
      runtime.send(
        new InvokeEndpointCommand({ EndpointName: 'ts-linear', ContentType: 'image/png', Body: 'x' }),
      ),
    ).rejects.toMatchObject({ name: 'ModelError', OriginalStatusCode: 415 });
  });

  it('report VariantStatus while the fleet starts, and none once InService', async () => {
    await c.s3.send(new CreateBucketCommand({ Bucket: 'slow-models' }));
    // A model whose loading takes a while: the endpoint stays Creating meanwhile.
    await createNodeModel(
      c,
      'slow-models',
      'slow-load',
      'export const modelFn = async () => { await new Promise((r) => setTimeout(r, 1500)); return {}; };\nexport const transformFn = (_m, body) => [body, "text/plain"];',
    );
    await createEndpoint(c.sm, 'slow-load', [{ model: 'slow-load' }]);
    const creating = await c.sm.send(new DescribeEndpointCommand({ EndpointName: 'slow-load' }));
    expect(creating.EndpointStatus).toBe('Creating');
    expect(creating.ProductionVariants?.[0]?.VariantStatus?.[0]).toMatchObject({ Status: 'Creating' });
    expect(creating.ProductionVariants?.[0]?.VariantStatus?.[0]?.StartTime).toBeInstanceOf(Date);
    const ready = await waitForEndpoint(c.sm, 'slow-load');
    expect(ready.ProductionVariants?.[0]?.VariantStatus).toBeUndefined();
  });
});
