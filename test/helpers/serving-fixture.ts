import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { createXgboostModel, startXgboostJob } from './endpoints.js';
import { clientConfig, startServer, type TestServer } from './server.js';
import { clients, datasetsDir, uploadDataset, waitForJob } from './training.js';

/** A server with two built-in XGBoost models trained on breast-cancer: `model-a` (20 rounds) and `model-b` (40). */
export interface ServingFixture {
  readonly server: TestServer;
  readonly c: ReturnType<typeof clients>;
  readonly runtime: SageMakerRuntimeClient;
  readonly bucket: string;
  readonly modelData: string;
  readonly modelDataB: string;
}

export async function startServingFixture(
  bucket: string,
  env: Record<string, string> = {},
): Promise<ServingFixture> {
  const server = await startServer({ env });
  const c = clients(server);
  const runtime = new SageMakerRuntimeClient(clientConfig(server));
  await uploadDataset(c.s3, bucket, 'breast-cancer');
  for (const [name, rounds] of [
    ['bc-a', '20'],
    ['bc-b', '40'],
  ] as const) {
    await startXgboostJob(c.sm, name, bucket, 'breast-cancer', {
      num_round: rounds,
      objective: 'binary:logistic',
      max_depth: '4',
    });
  }
  const a = await waitForJob(c.sm, 'bc-a');
  const b = await waitForJob(c.sm, 'bc-b');
  const modelData = a.ModelArtifacts!.S3ModelArtifacts!;
  const modelDataB = b.ModelArtifacts!.S3ModelArtifacts!;
  await createXgboostModel(c.sm, 'model-a', modelData);
  await createXgboostModel(c.sm, 'model-b', modelDataB);
  return { server, c, runtime, bucket, modelData, modelDataB };
}

/** The features (label dropped) of the first breast-cancer validation row. */
export const firstValidationRow = (): string =>
  readFileSync(join(datasetsDir, 'breast-cancer', 'validation.csv'), 'utf8')
    .split('\n')[0]!
    .split(',')
    .slice(1)
    .join(',');
