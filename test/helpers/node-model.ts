import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateModelCommand } from '@aws-sdk/client-sagemaker';
import * as tar from 'tar';
import { type clients, roleArn } from './training.js';

export const nodeImage = '000000000000.dkr.ecr.us-east-1.amazonaws.com/lathe-node-inference:1';

/**
 * Uploads `inference.mjs` (its source in `code`) as `s3://<bucket>/code/sourcedir.tar.gz` and
 * creates a script-mode model of the Node.js inference image that runs it.
 */
export async function createNodeModel(
  c: ReturnType<typeof clients>,
  bucket: string,
  name: string,
  code: string,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lathe-node-code-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'inference.mjs'), code);
  await tar.c({ gzip: true, file: join(dir, 'sourcedir.tar.gz'), cwd: join(dir, 'src') }, ['.']);
  await c.s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: 'code/sourcedir.tar.gz',
      Body: readFileSync(join(dir, 'sourcedir.tar.gz')),
    }),
  );
  rmSync(dir, { recursive: true, force: true });
  await c.sm.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: roleArn,
      PrimaryContainer: {
        Image: nodeImage,
        Environment: {
          SAGEMAKER_PROGRAM: 'inference.mjs',
          SAGEMAKER_SUBMIT_DIRECTORY: `s3://${bucket}/code/sourcedir.tar.gz`,
        },
      },
    }),
  );
}
