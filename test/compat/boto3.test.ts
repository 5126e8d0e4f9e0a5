import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startServer, type TestServer } from '../helpers/server.js';
import { datasetsDir } from '../helpers/training.js';

/**
 * Lathe driven by boto3 (Debian's python3-boto3) and loaded by the real xgboost: the script
 * test/fixtures/compat/boto3_flow.py runs a user's workflow once and prints what the service
 * answered as JSON; each test below checks one part of it.
 */

const PYTHON = '/usr/bin/python3';
const script = join(repoRoot, 'test', 'fixtures', 'compat', 'boto3_flow.py');
const dataset = join(datasetsDir, 'breast-cancer');
const bucket = 'boto-data';
const MiB = 1024 * 1024;

interface ClientErrorSummary {
  code: string;
  status: number;
  message: string;
}

/** The JSON the script prints; see boto3_flow.py. */
interface FlowSummary {
  s3: { putETag: string; validationMd5: string; objects: Record<string, number> };
  multipart: { eTag: string; contentLength: number; sha256: string; downloadedSha256: string };
  job: {
    arn: string;
    describedArn: string;
    status: string;
    failureReason: string | null;
    secondaryStatuses: string[];
    modelArtifacts: string | null;
    finalMetrics: Record<string, number>;
    creationTimeType: string;
    trainingTimeOrdered: boolean;
    shortStatus: string;
  };
  list: { pageSizes: number[]; names: string[]; completedNames: string[] };
  logs: { streams: string[]; rounds: number; lastRound: string | null };
  model: { members: string[]; rounds: number; auc: number; predictionsInUnitInterval: boolean };
  errors: Record<'describeMissing' | 'duplicate' | 'missingKey', ClientErrorSummary | null>;
  presigned: { v4: string; default: string };
}

let server: TestServer;
let work: string;
let flow: FlowSummary;

function runFlow(): Promise<FlowSummary> {
  const env = {
    PATH: '/usr/bin:/bin',
    HOME: join(work, 'home'),
    LC_ALL: 'C.UTF-8',
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_DEFAULT_REGION: server.region,
    // Nothing from ~/.aws: only the environment above configures boto3.
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    OMP_NUM_THREADS: '1',
  };
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      [script, server.url, bucket, dataset, work],
      { env, cwd: work, timeout: 90_000, maxBuffer: 16 * MiB },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`boto3_flow.py failed (${error.code ?? error.signal}):\n${stderr}\n${stdout}`));
          return;
        }
        const last = stdout.trim().split('\n').at(-1) ?? '';
        resolve(JSON.parse(last) as FlowSummary);
      },
    );
  });
}

beforeAll(async () => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install python3-boto3 and python3-xgboost`);
  work = mkdtempSync(join(tmpdir(), 'lathe-boto3-'));
  server = await startServer();
  flow = await runFlow();
}, 90_000);

afterAll(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('boto3 S3 client', () => {
  it('upload_file and put_object store the CSVs; put_object answers with the MD5 ETag', () => {
    expect(flow.s3.objects).toEqual({
      'bc/train/train.csv': statSync(join(dataset, 'train.csv')).size,
      'bc/validation/validation.csv': statSync(join(dataset, 'validation.csv')).size,
    });
    expect(flow.s3.putETag).toBe(`"${flow.s3.validationMd5}"`);
  });

  it("the transfer manager's multipart upload and ranged download round-trip 12 MiB", () => {
    expect(flow.multipart.eTag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect(flow.multipart.contentLength).toBe(12 * MiB);
    expect(flow.multipart.downloadedSha256).toBe(flow.multipart.sha256);
  });

  it('get_object on a missing key raises ClientError NoSuchKey (404)', () => {
    expect(flow.errors.missingKey).toMatchObject({ code: 'NoSuchKey', status: 404 });
  });
});

describe('boto3 SageMaker client', () => {
  it('create_training_job then polling describe_training_job reaches Completed', () => {
    expect(flow.job.status, flow.job.failureReason ?? '').toBe('Completed');
    expect(flow.job.describedArn).toBe(flow.job.arn);
    expect(flow.job.arn).toMatch(/^arn:aws:sagemaker:us-east-1:\d{12}:training-job\/boto-xgb$/);
    expect(flow.job.secondaryStatuses).toEqual([
      'Starting',
      'Downloading',
      'Training',
      'Uploading',
      'Completed',
    ]);
    expect(flow.job.modelArtifacts).toBe(`s3://${bucket}/output/boto-xgb/output/model.tar.gz`);
    // botocore parsed the timestamps into datetimes, and they are in order.
    expect(flow.job.creationTimeType).toBe('datetime');
    expect(flow.job.trainingTimeOrdered).toBe(true);
    expect(flow.job.finalMetrics['validation:auc']).toBeGreaterThan(0.9);
    expect(flow.job.shortStatus).toBe('Completed');
  });

  it("get_paginator('list_training_jobs') follows NextToken one job per page, and filters", () => {
    expect(flow.list.pageSizes).toEqual([1, 1]);
    expect(flow.list.names).toEqual(['boto-xgb', 'boto-xgb-short']);
    expect(flow.list.completedNames).toEqual(['boto-xgb-short']);
  });

  it('describe_training_job on a missing job raises ClientError ValidationException', () => {
    expect(flow.errors.describeMissing).toMatchObject({ code: 'ValidationException', status: 400 });
  });

  it('create_training_job with a name in use raises ClientError ResourceInUse', () => {
    expect(flow.errors.duplicate).toMatchObject({ code: 'ResourceInUse', status: 400 });
    expect(flow.errors.duplicate?.message).toContain('boto-xgb');
  });
});

describe('boto3 CloudWatch Logs client and the model artifact', () => {
  it('get_log_events returns one eval line per round', () => {
    expect(flow.logs.streams).toEqual([expect.stringMatching(/^boto-xgb\/algo-1-/)]);
    expect(flow.logs.rounds).toBe(20);
    expect(flow.logs.lastRound).toMatch(/^\[19\]#011train-auc:/);
    const logged = Number(/validation-auc:([\d.]+)$/.exec(flow.logs.lastRound ?? '')?.[1]);
    expect(Math.abs(logged - flow.job.finalMetrics['validation:auc']!)).toBeLessThan(1e-5);
  });

  it("xgboost loads model.tar.gz's xgboost-model and scores validation.csv at the reported AUC", () => {
    expect(flow.model.members).toContain('xgboost-model');
    expect(flow.model.rounds).toBe(20);
    expect(flow.model.predictionsInUnitInterval).toBe(true);
    expect(Math.abs(flow.model.auc - flow.job.finalMetrics['validation:auc']!)).toBeLessThan(1e-5);
  });
});

describe('presigned URLs from generate_presigned_url, fetched without an SDK', () => {
  const validation = () => readFileSync(join(dataset, 'validation.csv'), 'utf8');

  it('a SigV4 presigned GET returns the object', async () => {
    const url = new URL(flow.presigned.v4);
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(validation());
  });

  it('a tampered signature, or the signature on another key, gets 403 SignatureDoesNotMatch', async () => {
    const tampered = new URL(flow.presigned.v4);
    const sig = tampered.searchParams.get('X-Amz-Signature')!;
    tampered.searchParams.set('X-Amz-Signature', `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`);
    const otherKey = new URL(flow.presigned.v4);
    otherKey.pathname = otherKey.pathname.replace('validation/validation.csv', 'train/train.csv');
    for (const url of [tampered, otherKey]) {
      const res = await fetch(url);
      expect(res.status, url.pathname).toBe(403);
      expect(await res.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    }
  });

  // boto3 presigns S3 with SigV2 query auth (AWSAccessKeyId, Signature, Expires) unless the
  // client is configured with signature_version='s3v4'; S3 still accepts such URLs.
  it("a presigned GET from boto3's default configuration returns the object", async () => {
    const url = new URL(flow.presigned.default);
    expect(url.searchParams.has('AWSAccessKeyId')).toBe(true);
    const res = await fetch(url);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.text()).toBe(validation());
  });
});
