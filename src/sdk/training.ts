import { createReadStream, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, HeadBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateTrainingJobCommand,
  type CreateTrainingJobCommandInput,
  DescribeTrainingJobCommand,
  type DescribeTrainingJobCommandOutput,
} from '@aws-sdk/client-sagemaker';
import type { LatheClients } from './clients.js';

/** Helpers for the friendly training path (`lathe train`), over the official clients. */

export const defaultBucket = (region: string, accountId = '000000000000') =>
  `sagemaker-${region}-${accountId}`;

export async function ensureBucket(clients: LatheClients, bucket: string): Promise<void> {
  try {
    await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
}

/** Uploads a local file or directory under `s3://bucket/prefix/`; s3:// URIs pass through. */
export async function uploadInput(
  clients: LatheClients,
  source: string,
  bucket: string,
  prefix: string,
): Promise<string> {
  if (source.startsWith('s3://')) return source;
  const stat = statSync(source);
  const files = stat.isDirectory()
    ? (readdirSync(source, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name))
    : [source];
  for (const file of files) {
    const rel = stat.isDirectory() ? relative(source, file).split(sep).join('/') : basename(file);
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${prefix}/${rel}`,
        Body: createReadStream(file),
        ContentLength: statSync(file).size,
      }),
    );
  }
  return `s3://${bucket}/${prefix}/`;
}

export async function createTrainingJob(
  clients: LatheClients,
  input: CreateTrainingJobCommandInput,
): Promise<string> {
  const out = await clients.sagemaker.send(new CreateTrainingJobCommand(input));
  return out.TrainingJobArn ?? '';
}

export const isTerminal = (status: string | undefined) =>
  status === 'Completed' || status === 'Failed' || status === 'Stopped';

export interface WatchCallbacks {
  readonly onLog?: (message: string) => void;
  readonly onStatus?: (job: DescribeTrainingJobCommandOutput) => void;
}

/**
 * Polls the job and follows its log streams (CloudWatch Logs API) until it ends; returns
 * the final description.
 */
export async function watchTrainingJob(
  clients: LatheClients,
  name: string,
  callbacks: WatchCallbacks,
  pollMs = 500,
): Promise<DescribeTrainingJobCommandOutput> {
  const tokens = new Map<string, string | undefined>();
  let lastSecondary = '';
  for (;;) {
    const job = await clients.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    if (job.SecondaryStatus !== lastSecondary) {
      lastSecondary = job.SecondaryStatus ?? '';
      callbacks.onStatus?.(job);
    }
    if (callbacks.onLog) await drainLogs(clients, name, tokens, callbacks.onLog);
    if (isTerminal(job.TrainingJobStatus)) {
      if (callbacks.onLog) await drainLogs(clients, name, tokens, callbacks.onLog);
      return job;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Prints new events of every stream of a job; `tokens` remembers where each stream was. */
export async function drainLogs(
  clients: LatheClients,
  jobName: string,
  tokens: Map<string, string | undefined>,
  onLog: (message: string) => void,
): Promise<void> {
  const group = '/aws/sagemaker/TrainingJobs';
  let streams: string[];
  try {
    const out = await clients.logs.send(
      new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: `${jobName}/` }),
    );
    streams = (out.logStreams ?? []).map((s) => s.logStreamName ?? '').filter(Boolean);
  } catch {
    return; // No stream yet.
  }
  for (const stream of streams) {
    for (;;) {
      const out = await clients.logs.send(
        new GetLogEventsCommand({
          logGroupName: group,
          logStreamName: stream,
          startFromHead: true,
          nextToken: tokens.get(stream),
        }),
      );
      for (const e of out.events ?? []) onLog(e.message ?? '');
      const same = out.nextForwardToken === tokens.get(stream);
      tokens.set(stream, out.nextForwardToken);
      if (same || (out.events ?? []).length === 0) break;
    }
  }
}
