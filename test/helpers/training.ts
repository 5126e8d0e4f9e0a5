import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  type CreateTrainingJobCommandInput,
  DescribeTrainingJobCommand,
  type DescribeTrainingJobCommandOutput,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { clientConfig, repoRoot, type TestServer } from './server.js';

export const xgboostImage = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
export const datasetsDir = join(repoRoot, 'test', 'fixtures', 'datasets');
export const roleArn = 'arn:aws:iam::000000000000:role/lathe-test';

export function clients(server: TestServer) {
  const cfg = clientConfig(server);
  return {
    sm: new SageMakerClient(cfg),
    s3: new S3Client({ ...cfg, forcePathStyle: true }),
    logs: new CloudWatchLogsClient(cfg),
  };
}

/** Creates `bucket` and uploads a dataset's train/validation CSVs under `<dataset>/`. */
export async function uploadDataset(s3: S3Client, bucket: string, dataset: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((e: { name?: string }) => {
    if (e.name !== 'BucketAlreadyOwnedByYou') throw e;
  });
  for (const part of ['train', 'validation']) {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${dataset}/${part}/${part}.csv`,
        Body: readFileSync(join(datasetsDir, dataset, `${part}.csv`)),
      }),
    );
  }
}

export function xgboostJob(
  name: string,
  bucket: string,
  dataset: string,
  hyperParameters: Record<string, string>,
): CreateTrainingJobCommandInput {
  return {
    TrainingJobName: name,
    AlgorithmSpecification: { TrainingImage: xgboostImage, TrainingInputMode: 'File' },
    RoleArn: roleArn,
    HyperParameters: hyperParameters,
    InputDataConfig: ['train', 'validation'].map((channel) => ({
      ChannelName: channel,
      ContentType: 'text/csv',
      DataSource: {
        S3DataSource: {
          S3DataType: 'S3Prefix',
          S3Uri: `s3://${bucket}/${dataset}/${channel}/`,
          S3DataDistributionType: 'FullyReplicated',
        },
      },
    })),
    OutputDataConfig: { S3OutputPath: `s3://${bucket}/output` },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 5 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 },
  };
}

const terminal = new Set(['Completed', 'Failed', 'Stopped']);

/** Polls DescribeTrainingJob until `until` holds (default: a terminal status). */
export async function waitForJob(
  sm: SageMakerClient,
  name: string,
  until: (job: DescribeTrainingJobCommandOutput) => boolean = (j) => terminal.has(j.TrainingJobStatus ?? ''),
  timeoutMs = 60_000,
): Promise<DescribeTrainingJobCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    if (until(job)) return job;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${name}: ${JSON.stringify(job.SecondaryStatusTransitions)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Every log message of a training (or, with its group, transform) job, through the CloudWatch Logs API. */
export async function jobLogs(
  logs: CloudWatchLogsClient,
  name: string,
  group = '/aws/sagemaker/TrainingJobs',
): Promise<string[]> {
  const streams = await logs.send(
    new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: `${name}/` }),
  );
  const out: string[] = [];
  for (const s of streams.logStreams ?? []) {
    let token: string | undefined;
    for (;;) {
      const page = await logs.send(
        new GetLogEventsCommand({
          logGroupName: group,
          logStreamName: s.logStreamName,
          startFromHead: true,
          nextToken: token,
        }),
      );
      out.push(...(page.events ?? []).map((e) => e.message ?? ''));
      if (!page.events?.length || page.nextForwardToken === token) break;
      token = page.nextForwardToken;
    }
  }
  return out;
}

export { Sha256 } from '../../src/testing/sha256.js';
