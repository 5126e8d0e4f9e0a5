import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { datasetsDir, xgboostJob } from '../helpers/training.js';

/**
 * Lathe driven by the real AWS CLI v2 (Debian's `awscli`), the way a user at a shell would:
 * every call is a fresh `aws` process with `--endpoint-url`. The CLI runs with a throwaway
 * HOME and no config or credentials files, so nothing under ~/.aws is read or written.
 */

/** Debian's awscli v2; PATH may hold another `aws` (a pyenv v1 shim) first. */
const AWS_CLI = '/usr/bin/aws';
const MiB = 1024 * 1024;
const bucket = 'cli-data';
const group = '/aws/sagemaker/TrainingJobs';

let server: TestServer;
let work: string;
/** The account STS reports, checked against the ARNs SageMaker hands out. */
let account: string | undefined;

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `aws <args> --endpoint-url <server>`; resolves with the exit code instead of throwing. */
function aws(
  args: readonly string[],
  options: { secret?: string; accessKeyId?: string } = {},
): Promise<CliResult> {
  const env = {
    PATH: '/usr/bin:/bin',
    HOME: join(work, 'home'),
    LC_ALL: 'C.UTF-8',
    AWS_ACCESS_KEY_ID: options.accessKeyId ?? server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: options.secret ?? server.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CLI_AUTO_PROMPT: 'off',
  };
  return new Promise((resolve, reject) => {
    execFile(
      AWS_CLI,
      [...args, '--endpoint-url', server.url],
      { env, cwd: work, maxBuffer: 64 * MiB, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`aws ${args.join(' ')} did not run: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/** Runs a call that must succeed; the failure message carries the CLI's stderr. */
async function ok(args: readonly string[]): Promise<string> {
  const r = await aws(args);
  expect(r.code, `aws ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

async function okJson<T = Record<string, unknown>>(args: readonly string[]): Promise<T> {
  return JSON.parse(await ok([...args, '--output', 'json'])) as T;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** `aws s3 ls --recursive` lines (`date time size key`) as key → size. */
function parseLs(stdout: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    const m = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+(\d+) (.+)$/.exec(line);
    if (m) out[m[2]!] = Number(m[1]);
  }
  return out;
}

/** The CreateTrainingJob request of the suite's XGBoost jobs, as JSON for `--cli-input-json`. */
const jobRequest = (name: string, hyperParameters: Record<string, string>) =>
  xgboostJob(name, bucket, 'breast-cancer', hyperParameters);

interface DescribedJob {
  TrainingJobArn: string;
  TrainingJobStatus: string;
  SecondaryStatus: string;
  FailureReason?: string;
  ModelArtifacts?: { S3ModelArtifacts: string };
  FinalMetricDataList?: { MetricName: string; Value: number; Timestamp: string }[];
  HyperParameters: Record<string, string>;
}

/** `aws sagemaker wait` polls every 120 s; this polls describe-training-job itself. */
async function waitForCliJob(name: string, timeoutMs = 30_000): Promise<DescribedJob> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await okJson<DescribedJob>([
      'sagemaker',
      'describe-training-job',
      '--training-job-name',
      name,
    ]);
    if (['Completed', 'Failed', 'Stopped'].includes(job.TrainingJobStatus)) return job;
    if (Date.now() > deadline) throw new Error(`${name} still ${job.TrainingJobStatus}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  if (!existsSync(AWS_CLI)) throw new Error(`${AWS_CLI} is missing: install Debian's awscli package`);
  work = mkdtempSync(join(tmpdir(), 'lathe-awscli-'));
  mkdirSync(join(work, 'home'));
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('aws s3 (high-level commands)', () => {
  it('makes a bucket, copies the training CSVs in, and lists them recursively with their sizes', async () => {
    expect(await ok(['s3', 'mb', `s3://${bucket}`])).toContain(`make_bucket: ${bucket}`);
    const csv = (part: string) => join(datasetsDir, 'breast-cancer', `${part}.csv`);
    await Promise.all(
      ['train', 'validation'].map((part) =>
        ok(['s3', 'cp', '--only-show-errors', csv(part), `s3://${bucket}/breast-cancer/${part}/${part}.csv`]),
      ),
    );
    const [buckets, objects] = await Promise.all([
      ok(['s3', 'ls']),
      ok(['s3', 'ls', '--recursive', `s3://${bucket}`]),
    ]);
    expect(buckets).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d ${bucket}$`, 'm'));
    expect(parseLs(objects)).toEqual({
      'breast-cancer/train/train.csv': statSync(csv('train')).size,
      'breast-cancer/validation/validation.csv': statSync(csv('validation')).size,
    });
  });

  it('syncs a directory up, finds nothing to do the second time, and syncs it back down', async () => {
    const src = join(work, 'sync-src');
    mkdirSync(join(src, 'nested', 'deeper'), { recursive: true });
    const files: Record<string, string> = {
      'a.txt': 'alpha\n',
      'nested/b.json': '{"b":2}\n',
      'nested/deeper/c d+é.txt': 'a key with a space, a plus and a non-ASCII letter\n',
    };
    // Written a minute ago, as a user's files would be: sync's "unchanged" is size and mtime.
    const earlier = new Date(Date.now() - 60_000);
    for (const [name, body] of Object.entries(files)) {
      writeFileSync(join(src, name), body);
      utimesSync(join(src, name), earlier, earlier);
    }

    const first = await ok(['s3', 'sync', '--no-progress', src, `s3://${bucket}/synced/`]);
    expect(first.match(/^upload: /gm)).toHaveLength(3);
    const dst = join(work, 'sync-dst');
    const [second, listing] = await Promise.all([
      ok(['s3', 'sync', '--no-progress', src, `s3://${bucket}/synced/`]),
      ok(['s3', 'ls', '--recursive', `s3://${bucket}/synced/`]),
      ok(['s3', 'sync', '--no-progress', `s3://${bucket}/synced/`, dst]),
    ]);
    // sync compares size and modification time with the listing: unchanged files stay put.
    expect(second.trim()).toBe('');
    expect(parseLs(listing)).toEqual(
      Object.fromEntries(Object.entries(files).map(([k, v]) => [`synced/${k}`, Buffer.byteLength(v)])),
    );
    for (const [name, body] of Object.entries(files))
      expect(readFileSync(join(dst, name), 'utf8')).toBe(body);
  });

  it('uploads a 20 MiB file as a multipart upload and downloads it back byte-identical', async () => {
    const data = randomBytes(20 * MiB);
    const up = join(work, 'big.bin');
    const down = join(work, 'big.back');
    writeFileSync(up, data);
    await ok(['s3', 'cp', '--only-show-errors', up, `s3://${bucket}/blobs/big.bin`]);
    const [head] = await Promise.all([
      okJson<{ ETag: string; ContentLength: number }>([
        's3api',
        'head-object',
        '--bucket',
        bucket,
        '--key',
        'blobs/big.bin',
      ]),
      ok(['s3', 'cp', '--only-show-errors', `s3://${bucket}/blobs/big.bin`, down]),
    ]);
    // The CLI's default 8 MiB chunks: three parts, and S3's multipart ETag says so.
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect(head.ContentLength).toBe(20 * MiB);
    expect(sha256(readFileSync(down))).toBe(sha256(data));
  });

  it('presigns a GET that plain fetch can use', async () => {
    const key = 'breast-cancer/validation/validation.csv';
    const url = (await ok(['s3', 'presign', `s3://${bucket}/${key}`, '--expires-in', '120'])).trim();
    expect(url).toContain('X-Amz-Signature=');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(readFileSync(join(datasetsDir, 'breast-cancer', 'validation.csv'), 'utf8'));
  });
});

describe('aws sts', () => {
  it('get-caller-identity names the account', async () => {
    const id = await okJson<{ Account: string; Arn: string; UserId: string }>(['sts', 'get-caller-identity']);
    expect(id.Account).toMatch(/^\d{12}$/);
    expect(id.Arn).toMatch(new RegExp(`^arn:aws:iam::${id.Account}:`));
    expect(id.UserId).toBeTruthy();
    account = id.Account;
  });
});

describe('aws sagemaker + aws logs: built-in XGBoost', () => {
  const good = 'cli-xgb-auc';
  const bad = 'cli-xgb-bad-eta';
  let job: DescribedJob;

  it('create-training-job from --cli-input-json trains to Completed with validation:auc', async () => {
    const goodFile = join(work, `${good}.json`);
    const badFile = join(work, `${bad}.json`);
    const hyper = { objective: 'binary:logistic', eval_metric: 'auc', num_round: '20', max_depth: '3' };
    writeFileSync(goodFile, JSON.stringify(jobRequest(good, hyper)));
    // A second job the API accepts but the algorithm rejects, so the list filters below have a
    // job to leave out.
    writeFileSync(badFile, JSON.stringify(jobRequest(bad, { ...hyper, eta: '1.5' })));
    const [created] = await Promise.all([
      okJson<{ TrainingJobArn: string }>([
        'sagemaker',
        'create-training-job',
        '--cli-input-json',
        `file://${goodFile}`,
      ]),
      okJson(['sagemaker', 'create-training-job', '--cli-input-json', `file://${badFile}`]),
    ]);
    account ??= (await okJson<{ Account: string }>(['sts', 'get-caller-identity'])).Account;
    expect(created.TrainingJobArn).toBe(`arn:aws:sagemaker:us-east-1:${account}:training-job/${good}`);

    job = await waitForCliJob(good);
    expect(job.TrainingJobStatus, job.FailureReason).toBe('Completed');
    expect(job.SecondaryStatus).toBe('Completed');
    expect(job.TrainingJobArn).toBe(created.TrainingJobArn);
    expect(job.HyperParameters).toEqual(hyper);
    const auc = job.FinalMetricDataList?.find((m) => m.MetricName === 'validation:auc');
    expect(auc?.Value).toBeGreaterThan(0.9);
    expect(auc?.Value).toBeLessThanOrEqual(1);
    // The CLI renders timestamps as ISO 8601; a bad epoch value would not parse this way.
    expect(Date.parse(auc?.Timestamp ?? '')).toBeGreaterThan(Date.parse('2020-01-01'));
    const artifact = `s3://${bucket}/output/${good}/output/model.tar.gz`;
    expect(job.ModelArtifacts?.S3ModelArtifacts).toBe(artifact);
    const [listed, failed] = await Promise.all([
      ok(['s3', 'ls', artifact]).then(parseLs),
      waitForCliJob(bad),
    ]);
    expect(listed['model.tar.gz']).toBeGreaterThan(100);
    expect(failed.TrainingJobStatus).toBe('Failed');
    expect(failed.FailureReason).toMatch(/eta/);
  });

  it('list-training-jobs filters by --name-contains and --status-equals and pages with --page-size', async () => {
    const names = (out: { TrainingJobSummaries: { TrainingJobName: string; TrainingJobStatus: string }[] }) =>
      out.TrainingJobSummaries.map((s) => `${s.TrainingJobName}:${s.TrainingJobStatus}`);
    type List = Parameters<typeof names>[0];
    const [byName, completed, failed, paged, first] = await Promise.all([
      okJson<List>(['sagemaker', 'list-training-jobs', '--name-contains', 'xgb-auc']),
      okJson<List>([
        'sagemaker',
        'list-training-jobs',
        '--name-contains',
        'cli-',
        '--status-equals',
        'Completed',
      ]),
      okJson<List>([
        'sagemaker',
        'list-training-jobs',
        '--name-contains',
        'cli-',
        '--status-equals',
        'Failed',
      ]),
      // One job per page: the CLI follows NextToken and merges the pages.
      okJson<List>(['sagemaker', 'list-training-jobs', '--name-contains', 'cli-xgb', '--page-size', '1']),
      okJson<List & { NextToken?: string }>([
        'sagemaker',
        'list-training-jobs',
        '--name-contains',
        'cli-xgb',
        '--max-items',
        '1',
        '--page-size',
        '1',
      ]),
    ]);
    expect(names(byName)).toEqual([`${good}:Completed`]);
    expect(names(completed)).toEqual([`${good}:Completed`]);
    expect(names(failed)).toEqual([`${bad}:Failed`]);
    // Default order is CreationTime ascending; both were created at once, so compare as sets.
    expect(names(paged).sort()).toEqual([`${good}:Completed`, `${bad}:Failed`]);
    // Stopping after one item, the CLI hands back a token: the server said there was more.
    expect(first.TrainingJobSummaries).toHaveLength(1);
    expect(first.NextToken).toEqual(expect.any(String));
  });

  it('stop-training-job on a finished job fails with ValidationException', async () => {
    const r = await aws(['sagemaker', 'stop-training-job', '--training-job-name', good]);
    expect([254, 255]).toContain(r.code);
    expect(r.stderr).toContain('(ValidationException)');
    expect(r.stderr).toContain('StopTrainingJob');
    // And the job is left as it was.
    const after = await okJson<DescribedJob>([
      'sagemaker',
      'describe-training-job',
      '--training-job-name',
      good,
    ]);
    expect(after.TrainingJobStatus).toBe('Completed');
  });

  it('logs get-log-events on the stream describe-log-streams names shows the eval lines', async () => {
    const { logStreams } = await okJson<{ logStreams: { logStreamName: string }[] }>([
      'logs',
      'describe-log-streams',
      '--log-group-name',
      group,
      '--log-stream-name-prefix',
      `${good}/`,
    ]);
    expect(logStreams.map((s) => s.logStreamName)).toEqual([
      expect.stringMatching(new RegExp(`^${good}/algo-1-`)),
    ]);
    const { events } = await okJson<{ events: { message: string; timestamp: number }[] }>([
      'logs',
      'get-log-events',
      '--log-group-name',
      group,
      '--log-stream-name',
      logStreams[0]!.logStreamName,
      '--start-from-head',
    ]);
    const rounds = events
      .map((e) => e.message)
      .filter((m) => /^\[\d+\]#011train-auc:[\d.]+#011validation-auc:[\d.]+$/.test(m));
    expect(rounds[0]).toMatch(/^\[0\]#011train-auc:/);
    expect(rounds).toHaveLength(20);
    // The last logged validation score is the one DescribeTrainingJob reports.
    const last = Number(/validation-auc:([\d.]+)$/.exec(rounds.at(-1)!)![1]);
    const final = job.FinalMetricDataList!.find((m) => m.MetricName === 'validation:auc')!.Value;
    expect(Math.abs(last - final)).toBeLessThan(1e-5);
  });
});

describe('signature checks through the CLI', () => {
  it('rejects a wrong secret: InvalidSignatureException for SageMaker and Logs, SignatureDoesNotMatch for S3', async () => {
    const secret = `${server.secretAccessKey.slice(0, -1)}${server.secretAccessKey.endsWith('A') ? 'B' : 'A'}`;
    const [sm, logs, s3] = await Promise.all([
      aws(['sagemaker', 'list-training-jobs'], { secret }),
      aws(['logs', 'describe-log-streams', '--log-group-name', group], { secret }),
      aws(['s3', 'ls', `s3://${bucket}`], { secret }),
    ]);
    expect([sm.code, logs.code, s3.code]).toEqual([254, 254, 254]);
    expect(sm.stderr).toContain('(InvalidSignatureException) when calling the ListTrainingJobs operation');
    expect(logs.stderr).toContain(
      '(InvalidSignatureException) when calling the DescribeLogStreams operation',
    );
    expect(s3.stderr).toContain('(SignatureDoesNotMatch) when calling the ListObjectsV2 operation');
    expect(sm.stdout + logs.stdout + s3.stdout).toBe('');
  });

  // AWS STS speaks the query protocol and names these errors differently from the JSON
  // services: a wrong secret is SignatureDoesNotMatch, an unknown key InvalidClientTokenId.
  it('answers STS with the error codes AWS STS uses', async () => {
    const secret = `${server.secretAccessKey.slice(0, -1)}${server.secretAccessKey.endsWith('A') ? 'B' : 'A'}`;
    const [wrongSecret, unknownKey] = await Promise.all([
      aws(['sts', 'get-caller-identity'], { secret }),
      aws(['sts', 'get-caller-identity'], { accessKeyId: 'LKIAUNKNOWNKEY000000' }),
    ]);
    expect(wrongSecret.code).toBe(254);
    expect(wrongSecret.stderr).toContain(
      '(SignatureDoesNotMatch) when calling the GetCallerIdentity operation',
    );
    expect(unknownKey.code).toBe(254);
    expect(unknownKey.stderr).toContain(
      '(InvalidClientTokenId) when calling the GetCallerIdentity operation',
    );
  });
});
