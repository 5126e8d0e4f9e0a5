import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  InvokeEndpointAsyncCommand,
  InvokeEndpointCommand,
  SageMakerRuntimeClient,
} from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createXgboostModel, trainXgboost, waitForEndpoint } from '../helpers/endpoints.js';
import { createNodeModel } from '../helpers/node-model.js';
import { parseS3Uri, pollForObject, tryGetText } from '../helpers/objects.js';
import { clientConfig, startServer, type TestServer } from '../helpers/server.js';
import { clients, datasetsDir, uploadDataset } from '../helpers/training.js';

const bucket = 'async';
/** A script-mode model that sleeps for the number of milliseconds it is sent, then says so. */
const slowModel = `
export function modelFn() { return {}; }
export async function transformFn(model, body) {
  const ms = Number(body.toString('utf8').trim());
  if (!Number.isFinite(ms)) throw Object.assign(new Error('not a number of milliseconds'), { statusCode: 400 });
  await new Promise((r) => setTimeout(r, ms));
  return ['slept ' + ms, 'text/plain'];
}
`;

describe('asynchronous inference', () => {
  let server: TestServer;
  let c: ReturnType<typeof clients>;
  let runtime: SageMakerRuntimeClient;
  let features: string;

  beforeAll(async () => {
    server = await startServer();
    c = clients(server);
    runtime = new SageMakerRuntimeClient(clientConfig(server));
    await uploadDataset(c.s3, bucket, 'breast-cancer');
    const job = await trainXgboost(c.sm, 'bc-async', bucket, 'breast-cancer', {
      num_round: '20',
      objective: 'binary:logistic',
      max_depth: '4',
    });
    await createXgboostModel(c.sm, 'bc-async-model', job.ModelArtifacts!.S3ModelArtifacts!);
    await createNodeModel(c, bucket, 'slow-model', slowModel);
    await createEndpoint(c.sm, 'bc-async-ep', [{ model: 'bc-async-model' }], {
      AsyncInferenceConfig: {
        OutputConfig: { S3OutputPath: `s3://${bucket}/out/`, S3FailurePath: `s3://${bucket}/failures` },
        ClientConfig: { MaxConcurrentInvocationsPerInstance: 2 },
      },
    });
    await createEndpoint(c.sm, 'bc-realtime-ep', [{ model: 'bc-async-model' }]);
    await createEndpoint(c.sm, 'slow-async-ep', [{ model: 'slow-model' }], {
      AsyncInferenceConfig: { OutputConfig: { S3OutputPath: `s3://${bucket}/slow-out` } },
    });
    await waitForEndpoint(c.sm, 'bc-async-ep');
    await waitForEndpoint(c.sm, 'bc-realtime-ep');
    await waitForEndpoint(c.sm, 'slow-async-ep');
    const rows = readFileSync(join(datasetsDir, 'breast-cancer', 'validation.csv'), 'utf8')
      .trim()
      .split('\n');
    features = rows.map((r) => r.split(',').slice(1).join(',')).join('\n');
    await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/input.csv', Body: features }));
    await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/bad.csv', Body: 'a,b,c\n' }));
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('answers 202 with the locations, then writes the same predictions a real-time call makes', async () => {
    const accepted = await runtime.send(
      new InvokeEndpointAsyncCommand({
        EndpointName: 'bc-async-ep',
        InputLocation: `s3://${bucket}/in/input.csv`,
        ContentType: 'text/csv',
      }),
    );
    expect(accepted.$metadata.httpStatusCode).toBe(202);
    const id = accepted.InferenceId!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(accepted.OutputLocation).toBe(`s3://${bucket}/out/${id}.out`);
    expect(accepted.FailureLocation).toBe(`s3://${bucket}/failures/${id}-error.out`);

    const got = await pollForObject(c.s3, [accepted.OutputLocation!, accepted.FailureLocation!]);
    expect(got.uri, got.text).toBe(accepted.OutputLocation);
    const realtime = await runtime.send(
      new InvokeEndpointCommand({ EndpointName: 'bc-realtime-ep', ContentType: 'text/csv', Body: features }),
    );
    const expected = new TextDecoder().decode(realtime.Body);
    expect(got.text).toBe(expected);
    expect(got.text.trim().split('\n')).toHaveLength(features.split('\n').length);
    const head = await c.s3.send(new GetObjectCommand(parseS3Uri(accepted.OutputLocation!)));
    expect(head.ContentType).toBe(realtime.ContentType);
  });

  it('honours InferenceId, S3OutputPathExtension and Filename', async () => {
    const accepted = await runtime.send(
      new InvokeEndpointAsyncCommand({
        EndpointName: 'bc-async-ep',
        InputLocation: `s3://${bucket}/in/input.csv`,
        ContentType: 'text/csv',
        InferenceId: 'my-id-1',
        S3OutputPathExtension: 'daily/run1',
        Filename: 'predictions.csv',
      }),
    );
    expect(accepted.InferenceId).toBe('my-id-1');
    expect(accepted.OutputLocation).toBe(`s3://${bucket}/out/daily/run1/predictions.csv`);
    expect(accepted.FailureLocation).toBe(`s3://${bucket}/failures/daily/run1/my-id-1-error.out`);
    const got = await pollForObject(c.s3, [accepted.OutputLocation!, accepted.FailureLocation!]);
    expect(got.uri).toBe(accepted.OutputLocation);
  });

  it('writes the model error, a missing input and a timeout to the failure location', async () => {
    const bad = await runtime.send(
      new InvokeEndpointAsyncCommand({
        EndpointName: 'bc-async-ep',
        InputLocation: `s3://${bucket}/in/bad.csv`,
        ContentType: 'text/csv',
      }),
    );
    const missing = await runtime.send(
      new InvokeEndpointAsyncCommand({
        EndpointName: 'bc-async-ep',
        InputLocation: `s3://${bucket}/in/no-such.csv`,
        ContentType: 'text/csv',
      }),
    );
    await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/slow-3000', Body: '3000' }));
    const slow = await runtime.send(
      new InvokeEndpointAsyncCommand({
        EndpointName: 'slow-async-ep',
        InputLocation: `s3://${bucket}/in/slow-3000`,
        InvocationTimeoutSeconds: 1,
      }),
    );

    const badResult = await pollForObject(c.s3, [bad.OutputLocation!, bad.FailureLocation!]);
    expect(badResult.uri).toBe(bad.FailureLocation);
    expect(badResult.text).toMatch(/^Received client error \(4\d\d\) from primary with message/);
    const missingResult = await pollForObject(c.s3, [missing.OutputLocation!, missing.FailureLocation!]);
    expect(missingResult.uri).toBe(missing.FailureLocation);
    expect(missingResult.text).toContain('NoSuchKey');
    // No S3FailurePath: failures go next to the outputs.
    expect(slow.FailureLocation).toBe(`s3://${bucket}/slow-out/${slow.InferenceId}-error.out`);
    const slowResult = await pollForObject(c.s3, [slow.OutputLocation!, slow.FailureLocation!]);
    expect(slowResult.uri).toBe(slow.FailureLocation);
    expect(slowResult.text).toMatch(/InvocationTimeoutSeconds.*1 s/);
    expect(await tryGetText(c.s3, bad.OutputLocation!)).toBeUndefined();
  });

  it('refuses unknown and real-time endpoints and out-of-range headers with ValidationError', async () => {
    const invoke = (input: Partial<ConstructorParameters<typeof InvokeEndpointAsyncCommand>[0]>) =>
      runtime.send(
        new InvokeEndpointAsyncCommand({
          EndpointName: 'bc-async-ep',
          InputLocation: `s3://${bucket}/in/input.csv`,
          ...input,
        }),
      );
    await expect(invoke({ EndpointName: 'no-such-endpoint' })).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Endpoint no-such-endpoint of account 000000000000 not found.',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(invoke({ EndpointName: 'bc-realtime-ep' })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/AsyncInferenceConfig/),
    });
    await expect(invoke({ RequestTTLSeconds: 59 })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/requestTTLSeconds.*greater than or equal to 60/),
    });
    await expect(invoke({ InvocationTimeoutSeconds: 3601 })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/invocationTimeoutSeconds.*less than or equal to 3600/),
    });
    await expect(invoke({ InputLocation: undefined })).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(invoke({ InputLocation: 'file:///etc/passwd' })).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });
});

describe('an async request acknowledged before kill -9', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lathe-async-restart-'));
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop({ keepData: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs after the restart: queued requests at once, the interrupted one once its lease expires', async () => {
    const first = await startServer({ dataDir });
    servers.push(first);
    const c1 = clients(first);
    await c1.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await createNodeModel(c1, bucket, 'slow-model', slowModel);
    await createEndpoint(c1.sm, 'slow-ep', [{ model: 'slow-model' }], {
      AsyncInferenceConfig: {
        OutputConfig: { S3OutputPath: `s3://${bucket}/restart-out` },
        ClientConfig: { MaxConcurrentInvocationsPerInstance: 1 },
      },
    });
    await waitForEndpoint(c1.sm, 'slow-ep');
    await c1.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/sleep-4000', Body: '4000' }));
    const rt1 = new SageMakerRuntimeClient(clientConfig(first));
    const accepted = [];
    for (let i = 0; i < 3; i++) {
      accepted.push(
        await rt1.send(
          new InvokeEndpointAsyncCommand({
            EndpointName: 'slow-ep',
            InputLocation: `s3://${bucket}/in/sleep-4000`,
            InferenceId: `survivor-${i}`,
          }),
        ),
      );
    }
    // One slot: the first is running (4 s), the other two have not started.
    await new Promise((r) => setTimeout(r, 500));
    await first.kill9();

    const second = await startServer({ dataDir });
    servers.push(second);
    const c2 = clients(second);
    const started = Date.now();
    const results = [];
    for (const a of accepted.slice(1)) {
      results.push(await pollForObject(c2.s3, [a.OutputLocation!], 60_000));
    }
    const queuedDoneAfter = Date.now() - started;
    // The request that was running when the server died is leased for 30 s, then runs again.
    results.push(await pollForObject(c2.s3, [accepted[0]!.OutputLocation!], 90_000));
    for (const r of results) expect(r.text).toBe('slept 4000');
    expect(queuedDoneAfter).toBeLessThan(30_000);
  }, 180_000);
});
