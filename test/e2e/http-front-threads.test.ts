import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateEndpointConfigCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  SageMakerClient,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import {
  InvokeEndpointCommand,
  InvokeEndpointWithResponseStreamCommand,
  SageMakerRuntimeClient,
} from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, waitForEndpoint } from '../helpers/endpoints.js';
import { downloadObject } from '../helpers/objects.js';
import { sleep, until } from '../helpers/poll.js';
import { pythonPredictions } from '../helpers/python.js';
import { clientConfig } from '../helpers/server.js';
import { type ServingFixture, startServingFixture } from '../helpers/serving-fixture.js';
import { datasetsDir } from '../helpers/training.js';

// Three threads accept connections (the main one and two front threads). Every client here
// opens a new connection per request, so requests land on all three.
let fixture: ServingFixture;
let runtime: SageMakerRuntimeClient;
let sm: SageMakerClient;
let s3: S3Client;
const csvPath = join(datasetsDir, 'breast-cancer', 'validation.csv');
const rows = readFileSync(csvPath, 'utf8').trim().split('\n');
const features = rows.map((r) => r.split(',').slice(1).join(','));
const firstRow = features[0]!;

beforeAll(async () => {
  fixture = await startServingFixture('front-threads', { LATHE_HTTP_THREADS: '3' });
  const fresh = { requestHandler: { httpAgent: new Agent({ keepAlive: false }) } };
  const config = clientConfig(fixture.server);
  runtime = new SageMakerRuntimeClient({ ...config, ...fresh, maxAttempts: 1 });
  sm = new SageMakerClient({ ...config, ...fresh });
  s3 = new S3Client({ ...config, ...fresh, forcePathStyle: true });
  await createEndpoint(fixture.c.sm, 'ft', [{ model: 'model-a' }]);
  await waitForEndpoint(fixture.c.sm, 'ft');
}, 180_000);

afterAll(async () => {
  await fixture?.server.stop();
});

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${fixture.server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

async function predictions(endpoint: string, count: number): Promise<number[]> {
  return Promise.all(
    features.slice(0, count).map(async (row) => {
      const out = await runtime.send(
        new InvokeEndpointCommand({ EndpointName: endpoint, ContentType: 'text/csv', Body: row }),
      );
      expect(out.InvokedProductionVariant).toBe('AllTraffic');
      return Number(new TextDecoder().decode(out.Body));
    }),
  );
}

describe('HTTP front threads', () => {
  it("answer invocations with the fleet's predictions and record them in the fleet's metrics", async () => {
    const expected = pythonPredictions(await downloadObject(fixture.c.s3, fixture.modelData), csvPath, {
      labelled: true,
    });
    const answered = () => metric('lathe_http_front_requests_total', 'outcome="answered"');
    const answeredBefore = await answered();
    // Which thread accepts a connection is the kernel's choice: rounds of concurrent requests
    // until a front thread has answered some (reported within 100 ms).
    let sent = 0;
    for (let round = 0; round < 20 && (await answered()) === answeredBefore; round++) {
      const got = await predictions('ft', 60);
      sent += 60;
      for (const [i, p] of got.entries()) expect(Math.abs(p - expected[i]!)).toBeLessThan(1e-6);
      await sleep(250);
    }
    expect(await answered()).toBeGreaterThan(answeredBefore);
    // Every invocation is counted once, wherever it was answered.
    await until(
      async () =>
        (await metric('lathe_endpoint_invocations_total', 'endpoint="ft",variant="AllTraffic"')) === sent,
      5_000,
    );
  });

  it('pass every other request on to the main thread unchanged, streamed both ways', async () => {
    const passedOnBefore = await metric('lathe_http_front_requests_total', 'outcome="passed_on"');
    const body = randomBytes(3 * 1024 * 1024 + 17);
    await s3.send(new PutObjectCommand({ Bucket: 'front-threads', Key: 'big/blob.bin', Body: body }));
    for (let i = 0; i < 8; i++) {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'front-threads', Key: 'big/blob.bin' }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
      const head = await s3.send(new HeadObjectCommand({ Bucket: 'front-threads', Key: 'big/blob.bin' }));
      expect(head.ContentLength).toBe(body.length);
      const list = await s3.send(new ListObjectsV2Command({ Bucket: 'front-threads', Prefix: 'big/' }));
      expect(list.Contents?.map((o) => o.Key)).toEqual(['big/blob.bin']);
      const described = await sm.send(new DescribeEndpointCommand({ EndpointName: 'ft' }));
      expect(described.EndpointStatus).toBe('InService');
      // A streamed answer comes back as the event stream the main thread writes.
      const stream = await runtime.send(
        new InvokeEndpointWithResponseStreamCommand({
          EndpointName: 'ft',
          ContentType: 'text/csv',
          Body: firstRow,
        }),
      );
      let text = '';
      for await (const event of stream.Body!) text += new TextDecoder().decode(event.PayloadPart?.Bytes);
      expect(Number(text)).toBeGreaterThan(0);
    }
    await until(
      async () => (await metric('lathe_http_front_requests_total', 'outcome="passed_on"')) > passedOnBefore,
      5_000,
    );
  });

  it("answer a bad signature or an unknown variant with the main thread's errors", async () => {
    const forged = new SageMakerRuntimeClient({
      ...clientConfig(fixture.server),
      credentials: { accessKeyId: fixture.server.accessKeyId, secretAccessKey: 'not-the-secret-at-all' },
      requestHandler: { httpAgent: new Agent({ keepAlive: false }) },
      maxAttempts: 1,
    });
    for (let i = 0; i < 12; i++) {
      await expect(
        forged.send(
          new InvokeEndpointCommand({ EndpointName: 'ft', ContentType: 'text/csv', Body: firstRow }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidSignatureException' });
      await expect(
        runtime.send(
          new InvokeEndpointCommand({
            EndpointName: 'ft',
            ContentType: 'text/csv',
            Body: firstRow,
            TargetVariant: 'Nope',
          }),
        ),
      ).rejects.toMatchObject({ name: 'ValidationError' });
      // A content type the model does not read is its own 4xx: a ModelError on every thread.
      await expect(
        runtime.send(new InvokeEndpointCommand({ EndpointName: 'ft', ContentType: 'image/png', Body: 'x' })),
      ).rejects.toMatchObject({
        name: 'ModelError',
        OriginalStatusCode: 415,
        $metadata: { httpStatusCode: 424 },
      });
    }
  });

  it('route by an update, and forget a deleted endpoint, on every thread once the change is answered', async () => {
    const expectedB = pythonPredictions(await downloadObject(fixture.c.s3, fixture.modelDataB), csvPath, {
      labelled: true,
    });
    await sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'ft-b',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'model-b',
            InitialInstanceCount: 1,
            InstanceType: 'ml.m5.large',
          },
        ],
      }),
    );
    await sm.send(new UpdateEndpointCommand({ EndpointName: 'ft', EndpointConfigName: 'ft-b' }));
    await waitForEndpoint(fixture.c.sm, 'ft', {
      until: (d) => d.EndpointStatus === 'InService' && d.EndpointConfigName === 'ft-b',
    });
    const got = await predictions('ft', 40);
    for (const [i, p] of got.entries()) expect(Math.abs(p - expectedB[i]!)).toBeLessThan(1e-6);

    await sm.send(new DeleteEndpointCommand({ EndpointName: 'ft' }));
    await until(
      async () =>
        sm.send(new DescribeEndpointCommand({ EndpointName: 'ft' })).then(
          () => false,
          () => true,
        ),
      30_000,
    );
    for (let i = 0; i < 20; i++) {
      await expect(
        runtime.send(
          new InvokeEndpointCommand({ EndpointName: 'ft', ContentType: 'text/csv', Body: firstRow }),
        ),
      ).rejects.toMatchObject({ name: 'ValidationError' });
    }
  });
});
