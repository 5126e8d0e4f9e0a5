import {
  AddTagsCommand,
  CreateTrainingJobCommand,
  DeleteTagsCommand,
  DescribeTrainingJobCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  type SageMakerClient,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig, startServer, type TestServer } from '../helpers/server.js';
import { clients, Sha256, xgboostImage, xgboostJob } from '../helpers/training.js';

type HttpRequest = Parameters<SignatureV4['sign']>[0];

let server: TestServer;
let sm: SageMakerClient;

beforeAll(async () => {
  server = await startServer({ env: { LATHE_MAX_CONCURRENT_JOBS: '1' } });
  sm = clients(server).sm;
});
afterAll(async () => {
  await server?.stop();
});

async function rawCall(
  target: string | undefined,
  body: string,
  options: { secret?: string; accessKeyId?: string; date?: Date; sign?: boolean } = {},
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const url = new URL(server.url);
  const headers: Record<string, string> = { host: url.host, 'content-type': 'application/x-amz-json-1.1' };
  if (target) headers['x-amz-target'] = target;
  let request: HttpRequest = {
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers,
    body,
    query: {},
  };
  if (options.sign !== false) {
    const signer = new SignatureV4({
      service: 'sagemaker',
      region: 'us-east-1',
      sha256: Sha256,
      credentials: {
        accessKeyId: options.accessKeyId ?? server.accessKeyId,
        secretAccessKey: options.secret ?? server.secretAccessKey,
      },
    });
    request = (await signer.sign(request, { signingDate: options.date })) as HttpRequest;
  }
  const res = await fetch(server.url, { method: 'POST', headers: request.headers, body });
  const text = await res.text();
  return {
    status: res.status,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: res.headers,
  };
}

describe('authentication', () => {
  it('refuses unsigned requests', async () => {
    const r = await rawCall('SageMaker.ListTrainingJobs', '{}', { sign: false });
    expect(r.status).toBe(403);
    expect(r.json.__type).toBe('MissingAuthenticationToken');
  });
  it('refuses a forged signature', async () => {
    const r = await rawCall('SageMaker.ListTrainingJobs', '{}', {
      secret: 'not-the-secret-at-all-0000000000',
    });
    expect(r.status).toBe(403);
    expect(r.json.__type).toBe('InvalidSignatureException');
  });
  it('refuses an unknown access key', async () => {
    const r = await rawCall('SageMaker.ListTrainingJobs', '{}', { accessKeyId: 'AKIAUNKNOWN000000000' });
    expect(r.status).toBe(403);
    expect(r.json.__type).toBe('UnrecognizedClientException');
  });
  it('refuses an expired signature', async () => {
    const r = await rawCall('SageMaker.ListTrainingJobs', '{}', { date: new Date(Date.now() - 3600_000) });
    expect(r.status).toBe(403);
    expect(r.json.__type).toBe('InvalidSignatureException');
    expect(String(r.json.message)).toMatch(/Signature expired/);
  });
  it('rejects a body changed after signing', async () => {
    const url = new URL(server.url);
    const signer = new SignatureV4({
      service: 'sagemaker',
      region: 'us-east-1',
      sha256: Sha256,
      credentials: clientConfig(server).credentials,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: { host: url.host, 'x-amz-target': 'SageMaker.ListTrainingJobs' },
      body: '{}',
      query: {},
    });
    const res = await fetch(server.url, {
      method: 'POST',
      headers: signed.headers,
      body: '{"MaxResults": 5}',
    });
    expect(res.status).toBe(403);
  });
  it('answers /health without credentials', async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
  });
});

describe('protocol errors', () => {
  it('answers an unknown operation with UnknownOperationException', async () => {
    const r = await rawCall('SageMaker.MakeCoffee', '{}');
    expect(r.status).toBe(400);
    expect(r.json.__type).toBe('UnknownOperationException');
  });
  it('answers malformed JSON with SerializationException', async () => {
    const r = await rawCall('SageMaker.ListTrainingJobs', '{"MaxResults": ');
    expect(r.status).toBe(400);
    expect(r.json.__type).toBe('SerializationException');
  });
  it('refuses an oversized body with 413', async () => {
    const r = await rawCall(
      'SageMaker.CreateTrainingJob',
      JSON.stringify({ pad: 'x'.repeat(9 * 1024 * 1024) }),
      { sign: false },
    );
    expect(r.status).toBe(413);
  });
  it('names the missing and ill-typed fields', async () => {
    const r = await rawCall(
      'SageMaker.CreateTrainingJob',
      JSON.stringify({
        TrainingJobName: 'x',
        AlgorithmSpecification: { TrainingImage: xgboostImage, TrainingInputMode: 'File' },
        ResourceConfig: { VolumeSizeInGB: 'ten' },
      }),
    );
    expect(r.status).toBe(400);
    expect(r.json.__type).toBe('ValidationException');
    expect(String(r.json.message)).toMatch(/RoleArn/);
    expect(String(r.json.message)).toMatch(/ResourceConfig\.VolumeSizeInGB/);
    expect(String(r.json.message)).toMatch(/OutputDataConfig/);
  });
  it('explains that an unknown image cannot run here', async () => {
    const input = xgboostJob('odd-image', 'b', 'd', { num_round: '1' });
    input.AlgorithmSpecification!.TrainingImage =
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-custom-thing:latest';
    await expect(sm.send(new CreateTrainingJobCommand(input))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/cannot run here.*my-custom-thing/),
    });
  });
  it('answers a missing job as SageMaker does', async () => {
    await expect(sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'nope' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Requested resource not found.',
      $metadata: { httpStatusCode: 400 },
    });
  });
});

describe('training job lifecycle', () => {
  it('creates, rejects duplicates, lists with filters and pages, tags, and stops queued jobs', async () => {
    // Concurrency is 1 and the data does not exist: jobs fail fast, in order.
    const names = ['lc-alpha', 'lc-beta', 'lc-gamma'];
    for (const n of names) {
      const out = await sm.send(
        new CreateTrainingJobCommand({
          ...xgboostJob(n, 'no-bucket', 'x', { num_round: '1' }),
          Tags: [{ Key: 'team', Value: 'ml' }],
        }),
      );
      expect(out.TrainingJobArn).toBe(`arn:aws:sagemaker:us-east-1:000000000000:training-job/${n}`);
    }
    await expect(
      sm.send(new CreateTrainingJobCommand(xgboostJob('lc-alpha', 'b', 'x', { num_round: '1' }))),
    ).rejects.toMatchObject({
      name: 'ResourceInUse',
    });

    const page1 = await sm.send(new ListTrainingJobsCommand({ NameContains: 'lc-', MaxResults: 2 }));
    expect(page1.TrainingJobSummaries?.map((j) => j.TrainingJobName)).toEqual(['lc-alpha', 'lc-beta']);
    expect(page1.NextToken).toBeDefined();
    const page2 = await sm.send(
      new ListTrainingJobsCommand({ NameContains: 'lc-', MaxResults: 2, NextToken: page1.NextToken }),
    );
    expect(page2.TrainingJobSummaries?.map((j) => j.TrainingJobName)).toEqual(['lc-gamma']);
    expect(page2.NextToken).toBeUndefined();
    const desc = await sm.send(
      new ListTrainingJobsCommand({ NameContains: 'lc-', SortBy: 'Name', SortOrder: 'Descending' }),
    );
    expect(desc.TrainingJobSummaries?.map((j) => j.TrainingJobName)).toEqual([
      'lc-gamma',
      'lc-beta',
      'lc-alpha',
    ]);
    expect(desc.TrainingJobSummaries?.[0]?.CreationTime).toBeInstanceOf(Date);

    const arn = page1.TrainingJobSummaries![0]!.TrainingJobArn!;
    await sm.send(new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'stage', Value: 'dev' }] }));
    const tags = await sm.send(new ListTagsCommand({ ResourceArn: arn }));
    expect(tags.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'team', Value: 'ml' },
        { Key: 'stage', Value: 'dev' },
      ]),
    );
    await sm.send(new DeleteTagsCommand({ ResourceArn: arn, TagKeys: ['team'] }));
    expect((await sm.send(new ListTagsCommand({ ResourceArn: arn }))).Tags).toEqual([
      { Key: 'stage', Value: 'dev' },
    ]);

    // Every job ends (Failed: no such bucket), and stopping a finished job is refused.
    for (const n of names) {
      const job = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: n }));
      if (job.TrainingJobStatus === 'InProgress') await new Promise((r) => setTimeout(r, 500));
    }
    const failed = await sm.send(
      new ListTrainingJobsCommand({ NameContains: 'lc-', StatusEquals: 'Failed' }),
    );
    expect(failed.TrainingJobSummaries?.length).toBeGreaterThan(0);
    await expect(
      sm.send(
        new StopTrainingJobCommand({ TrainingJobName: failed.TrainingJobSummaries![0]!.TrainingJobName! }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('rejects a bad NextToken and an out-of-range MaxResults', async () => {
    await expect(sm.send(new ListTrainingJobsCommand({ NextToken: 'garbage' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(sm.send(new ListTrainingJobsCommand({ MaxResults: 1000 }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/MaxResults/),
    });
  });
});
