import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import * as tar from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, startServer, type TestServer } from '../helpers/server.js';
import { clients, jobLogs, roleArn, uploadDataset, waitForJob, xgboostJob } from '../helpers/training.js';

const image = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
const servers: TestServer[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'lathe-restart-'));
afterAll(async () => {
  for (const s of servers) await s.stop({ keepData: true });
  rmSync(dataDir, { recursive: true, force: true });
});

function job(name: string, source: string, program: string, hps: Record<string, string> = {}) {
  return new CreateTrainingJobCommand({
    TrainingJobName: name,
    AlgorithmSpecification: { TrainingImage: image, TrainingInputMode: 'File' },
    RoleArn: roleArn,
    HyperParameters: {
      ...hps,
      sagemaker_program: program,
      sagemaker_submit_directory: `s3://restart/code/${source}.tar.gz`,
    },
    InputDataConfig: [
      {
        ChannelName: 'train',
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://restart/iris/train/' } },
      },
    ],
    OutputDataConfig: { S3OutputPath: 's3://restart/output' },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 5 },
    StoppingCondition: { MaxRuntimeInSeconds: 120 },
  });
}

describe('a server killed with -9 mid-job', () => {
  it('comes back with the acknowledged job, ends the orphan, and runs the job again to completion', async () => {
    const first = await startServer({ dataDir });
    servers.push(first);
    const c1 = clients(first);
    await uploadDataset(c1.s3, 'restart', 'iris');
    const tmp = mkdtempSync(join(tmpdir(), 'lathe-src-'));
    await tar.c(
      { gzip: true, file: join(tmp, 'misc.tar.gz'), cwd: join(repoRoot, 'test/fixtures/scripts/misc') },
      ['.'],
    );
    await c1.s3.send(
      new PutObjectCommand({
        Bucket: 'restart',
        Key: 'code/misc.tar.gz',
        Body: readFileSync(join(tmp, 'misc.tar.gz')),
      }),
    );
    await c1.sm.send(job('survivor', 'misc', 'slow.py', { epochs: '15' }));
    const running = await waitForJob(c1.sm, 'survivor', (j) => j.SecondaryStatus === 'Training');
    expect(running.TrainingJobStatus).toBe('InProgress');
    await new Promise((r) => setTimeout(r, 500));
    await first.kill9();

    const second = await startServer({ dataDir });
    servers.push(second);
    const c2 = clients(second);
    const done = await waitForJob(c2.sm, 'survivor', undefined, 30_000);
    expect(done.TrainingJobStatus, done.FailureReason).toBe('Completed');
    const statuses = done.SecondaryStatusTransitions?.map((t) => t.Status);
    expect(statuses).toContain('Restarting');
    expect(statuses?.filter((s) => s === 'Training')).toHaveLength(2);
    // No second copy of the first attempt's process is left running.
    const leftovers = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter(
        (l) =>
          l.includes(join(dataDir, 'jobs', 'survivor')) || (l.includes('slow.py') && l.includes(dataDir)),
      );
    expect(leftovers).toEqual([]);
  });

  it('keeps an archive with ../ members from escaping the job directory', async () => {
    const server = servers.at(-1)!;
    const c = clients(server);
    // Python's tarfile writes the hostile member names that node-tar refuses to create.
    const evil = join(mkdtempSync(join(tmpdir(), 'lathe-evil-')), 'evil.tar.gz');
    execFileSync('/usr/bin/python3', [
      '-c',
      'import io,sys,tarfile\nwith tarfile.open(sys.argv[1],"w:gz") as t:\n  for n in ["train.py","../../escaped.py"]:\n    d=b"print(1)\\n"; i=tarfile.TarInfo(n); i.size=len(d); t.addfile(i,io.BytesIO(d))',
      evil,
    ]);
    await c.s3.send(
      new PutObjectCommand({ Bucket: 'restart', Key: 'code/evil.tar.gz', Body: readFileSync(evil) }),
    );
    await c.sm.send(job('zip-slip', 'evil', 'train.py'));
    const done = await waitForJob(c.sm, 'zip-slip');
    expect(done.TrainingJobStatus).toBe('Failed');
    expect(done.FailureReason).toMatch(/ClientError: .*unsafe archive.*\.\.\/\.\.\/escaped\.py/);
    expect(() => readFileSync(join(dataDir, 'jobs', 'escaped.py'))).toThrow();
    expect(() => readFileSync(join(dataDir, 'escaped.py'))).toThrow();
  });
  it('resumes built-in XGBoost from the checkpoints synced before the crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lathe-ckpt-'));
    const env = { LATHE_CHECKPOINT_SYNC_SECONDS: '0.2' };
    const first = await startServer({ dataDir: dir, env });
    servers.push(first);
    const c1 = clients(first);
    await uploadDataset(c1.s3, 'ckpt', 'breast-cancer');
    const input = xgboostJob('resumable', 'ckpt', 'breast-cancer', {
      num_round: '1500',
      eta: '0.01',
      max_depth: '8',
    });
    input.CheckpointConfig = { S3Uri: 's3://ckpt/checkpoints/resumable' };
    await c1.sm.send(new CreateTrainingJobCommand(input));
    // Wait until a checkpoint has been synced to S3 (however loaded the machine), then crash.
    await waitForJob(c1.sm, 'resumable', (j) => j.SecondaryStatus === 'Training');
    const deadline = Date.now() + 60_000;
    for (;;) {
      const page = await c1.s3.send(
        new ListObjectsV2Command({ Bucket: 'ckpt', Prefix: 'checkpoints/resumable/' }),
      );
      if ((page.KeyCount ?? 0) > 0) break;
      if (Date.now() > deadline) throw new Error('no checkpoint was synced within 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    await first.kill9();

    const second = await startServer({ dataDir: dir, env });
    servers.push(second);
    const c2 = clients(second);
    const done = await waitForJob(c2.sm, 'resumable', undefined, 60_000);
    expect(done.TrainingJobStatus, done.FailureReason).toBe('Completed');
    const resumed = (await jobLogs(c2.logs, 'resumable')).find((l) => l.includes('resuming from iteration'));
    expect(resumed).toMatch(/resuming from iteration [1-9]\d*/);
  });
});
