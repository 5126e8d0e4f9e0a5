import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateModelCommand } from '@aws-sdk/client-sagemaker';
import * as tar from 'tar';
import { type clients, roleArn } from './training.js';

/**
 * Packages `files` (paths inside the archive, e.g. `code/inference.py`, to their contents) as a
 * `model.tar.gz`, as the SageMaker SDKs package script models, uploads it to
 * `s3://<bucket>/<name>/model.tar.gz` and creates a model of `image` that runs `program`.
 */
export async function createScriptModel(
  c: ReturnType<typeof clients>,
  bucket: string,
  name: string,
  options: { image: string; program: string; files: Readonly<Record<string, string | Buffer>> },
): Promise<void> {
  const staging = mkdtempSync(join(tmpdir(), 'lathe-script-model-'));
  for (const [path, content] of Object.entries(options.files)) {
    mkdirSync(dirname(join(staging, path)), { recursive: true });
    writeFileSync(join(staging, path), content);
  }
  const archive = join(mkdtempSync(join(tmpdir(), 'lathe-script-tar-')), 'model.tar.gz');
  const tops = [...new Set(Object.keys(options.files).map((p) => p.split('/')[0]!))];
  await tar.c({ gzip: true, cwd: staging, file: archive }, tops);
  await c.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: `${name}/model.tar.gz`, Body: readFileSync(archive) }),
  );
  await c.sm.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: roleArn,
      PrimaryContainer: {
        Image: options.image,
        ModelDataUrl: `s3://${bucket}/${name}/model.tar.gz`,
        Environment: { SAGEMAKER_PROGRAM: options.program },
      },
    }),
  );
}
