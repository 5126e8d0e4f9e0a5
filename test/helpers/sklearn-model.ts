import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateModelCommand, CreateTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import * as tar from 'tar';
import { downloadObject } from './objects.js';
import { repoRoot } from './server.js';
import { type clients, roleArn, uploadDataset, waitForJob, xgboostJob } from './training.js';

export const sklearnImage =
  '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';

/**
 * Trains test/fixtures/scripts/sklearn/train.py on iris and registers the model with its
 * inference.py packaged under code/ in model.tar.gz, as the SageMaker Python SDK does.
 */
export async function createSklearnModel(
  c: ReturnType<typeof clients>,
  bucket: string,
  modelName: string,
): Promise<void> {
  await uploadDataset(c.s3, bucket, 'iris');
  const srcDir = join(repoRoot, 'test', 'fixtures', 'scripts', 'sklearn');
  const tmp = mkdtempSync(join(tmpdir(), 'lathe-sk-'));
  await tar.c({ gzip: true, file: join(tmp, 'src.tar.gz'), cwd: srcDir }, ['.']);
  await c.s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: `code/${modelName}.tar.gz`,
      Body: readFileSync(join(tmp, 'src.tar.gz')),
    }),
  );
  const jobName = `${modelName}-train`;
  await c.sm.send(
    new CreateTrainingJobCommand({
      ...xgboostJob(jobName, bucket, 'iris', {}),
      AlgorithmSpecification: { TrainingImage: sklearnImage, TrainingInputMode: 'File' },
      HyperParameters: {
        sagemaker_program: 'train.py',
        sagemaker_submit_directory: `s3://${bucket}/code/${modelName}.tar.gz`,
      },
    }),
  );
  const job = await waitForJob(c.sm, jobName);
  if (job.TrainingJobStatus !== 'Completed') throw new Error(`${jobName}: ${job.FailureReason}`);
  await downloadObject(c.s3, job.ModelArtifacts!.S3ModelArtifacts!, join(tmp, 'trained.tar.gz'));
  const modelDir = mkdtempSync(join(tmpdir(), 'lathe-skm-'));
  execFileSync('tar', ['-xzf', join(tmp, 'trained.tar.gz'), '-C', modelDir]);
  execFileSync('mkdir', ['-p', join(modelDir, 'code')]);
  execFileSync('cp', [join(srcDir, 'inference.py'), join(modelDir, 'code/')]);
  await tar.c({ gzip: true, file: join(tmp, 'model.tar.gz'), cwd: modelDir }, ['model.joblib', 'code']);
  await c.s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: `models/${modelName}/model.tar.gz`,
      Body: readFileSync(join(tmp, 'model.tar.gz')),
    }),
  );
  await c.sm.send(
    new CreateModelCommand({
      ModelName: modelName,
      ExecutionRoleArn: roleArn,
      PrimaryContainer: {
        Image: sklearnImage,
        ModelDataUrl: `s3://${bucket}/models/${modelName}/model.tar.gz`,
        Environment: { SAGEMAKER_PROGRAM: 'inference.py' },
      },
    }),
  );
}
