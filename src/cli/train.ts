import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import * as tar from 'tar';
import type { LatheClients } from '../sdk/clients.js';
import {
  createTrainingJob,
  defaultBucket,
  ensureBucket,
  uploadInput,
  watchTrainingJob,
} from '../sdk/training.js';

export interface TrainOptions {
  readonly algorithm?: string;
  readonly image?: string;
  readonly train: string;
  readonly validation?: string;
  readonly contentType?: string;
  readonly hp: readonly string[];
  readonly output?: string;
  readonly name?: string;
  readonly entryPoint?: string;
  readonly sourceDir?: string;
  readonly maxRuntime: number;
  readonly wait: boolean;
}

const images: Record<string, string> = {
  xgboost: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
  sklearn: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
  node: 'lathe/lathe-node-training:latest',
};

function parseHyperParameters(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i < 1) throw new Error(`--hp expects name=value, got '${pair}'`);
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

function contentTypeOf(path: string, given?: string): string | undefined {
  if (given) return given;
  if (/\.csv$/i.test(path)) return 'text/csv';
  if (/\.(libsvm|svm)$/i.test(path)) return 'text/libsvm';
  return undefined;
}

/** `lathe train`: uploads local inputs, creates the job, follows its logs, prints the result. */
export async function trainCommand(clients: LatheClients, options: TrainOptions): Promise<number> {
  const image = options.image ?? images[options.algorithm ?? (options.entryPoint ? 'sklearn' : 'xgboost')];
  if (!image)
    throw new Error(`unknown --algorithm '${options.algorithm}'; use xgboost, sklearn, node or --image`);
  const name =
    options.name ??
    `lathe-${new Date()
      .toISOString()
      .replace(/[-:T.Z]/g, '')
      .slice(0, 14)}-${randomBytes(2).toString('hex')}`;
  const bucket = defaultBucket(clients.region);
  await ensureBucket(clients, bucket);
  const hyperParameters = parseHyperParameters(options.hp);
  const channels = [
    ['train', options.train],
    ['validation', options.validation],
  ].filter((c): c is [string, string] => Boolean(c[1]));
  const inputDataConfig = [];
  for (const [channel, source] of channels) {
    const uri = await uploadInput(clients, source, bucket, `${name}/input/${channel}`);
    const contentType = contentTypeOf(source, options.contentType);
    inputDataConfig.push({
      ChannelName: channel,
      DataSource: {
        S3DataSource: {
          S3DataType: 'S3Prefix' as const,
          S3Uri: uri,
          S3DataDistributionType: 'FullyReplicated' as const,
        },
      },
      ...(contentType ? { ContentType: contentType } : {}),
    });
  }
  if (options.entryPoint) {
    const dir = options.sourceDir ?? '.';
    if (!existsSync(join(dir, options.entryPoint)))
      throw new Error(`${join(dir, options.entryPoint)} does not exist`);
    const tmp = mkdtempSync(join(tmpdir(), 'lathe-src-'));
    const archive = join(tmp, 'sourcedir.tar.gz');
    try {
      await tar.c({ gzip: true, file: archive, cwd: dir, portable: true }, ['.']);
      const key = `${name}/source/sourcedir.tar.gz`;
      await clients.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: createReadStream(archive),
          ContentLength: statSync(archive).size,
        }),
      );
      hyperParameters.sagemaker_program =
        basename(options.entryPoint) === options.entryPoint ? options.entryPoint : options.entryPoint;
      hyperParameters.sagemaker_submit_directory = `s3://${bucket}/${key}`;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  await createTrainingJob(clients, {
    TrainingJobName: name,
    AlgorithmSpecification: { TrainingImage: image, TrainingInputMode: 'File' },
    RoleArn: 'arn:aws:iam::000000000000:role/lathe',
    HyperParameters: hyperParameters,
    InputDataConfig: inputDataConfig,
    OutputDataConfig: { S3OutputPath: options.output ?? `s3://${bucket}/output` },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: options.maxRuntime },
  });
  process.stdout.write(`Training job ${name} created\n`);
  if (!options.wait) return 0;
  const started = Date.now();
  const job = await watchTrainingJob(clients, name, {
    onStatus: (j) =>
      process.stdout.write(
        `[${((Date.now() - started) / 1000).toFixed(1)}s] ${j.TrainingJobStatus} - ${j.SecondaryStatus}\n`,
      ),
    onLog: (m) => process.stdout.write(`  ${m.replace(/#011/g, '  ')}\n`),
  });
  process.stdout.write(
    `\n${name}: ${job.TrainingJobStatus} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  if (job.FailureReason) process.stdout.write(`Failure reason: ${job.FailureReason}\n`);
  for (const m of job.FinalMetricDataList ?? []) process.stdout.write(`  ${m.MetricName} = ${m.Value}\n`);
  if (job.ModelArtifacts?.S3ModelArtifacts)
    process.stdout.write(`Model: ${job.ModelArtifacts.S3ModelArtifacts}\n`);
  return job.TrainingJobStatus === 'Completed' ? 0 : 1;
}
