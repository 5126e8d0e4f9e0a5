import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  type CreateEndpointConfigCommandInput,
  CreateModelCommand,
  type CreateModelCommandInput,
  CreateTrainingJobCommand,
  DescribeEndpointCommand,
  type DescribeEndpointCommandOutput,
  type DescribeTrainingJobCommandOutput,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { sleep } from './poll.js';
import { roleArn, waitForJob, xgboostImage, xgboostJob } from './training.js';

/**
 * Polls DescribeEndpoint until `until` holds (default: InService). Throws when the endpoint
 * fails or the time runs out; DescribeEndpoint's own errors (a deleted endpoint) pass through.
 */
export async function waitForEndpoint(
  sm: SageMakerClient,
  name: string,
  options: { until?: (d: DescribeEndpointCommandOutput) => boolean; timeoutMs?: number } = {},
): Promise<DescribeEndpointCommandOutput> {
  const until = options.until ?? ((d) => d.EndpointStatus === 'InService');
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  for (;;) {
    const d = await sm.send(new DescribeEndpointCommand({ EndpointName: name }));
    if (until(d)) return d;
    if (d.EndpointStatus === 'Failed') throw new Error(`${name} failed: ${d.FailureReason}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${name}: ${d.EndpointStatus}`);
    await sleep(100);
  }
}

/** One production variant: one ml.m5.large instance of the model unless told. */
export interface Variant {
  readonly model: string;
  readonly name?: string;
  readonly count?: number;
  readonly weight?: number;
}

/**
 * Creates the endpoint configuration `<name>-config` with these variants (and any other members
 * in `extra`), then the endpoint `name` from it. Does not wait: see {@link waitForEndpoint}.
 */
export async function createEndpoint(
  sm: SageMakerClient,
  name: string,
  variants: readonly Variant[],
  extra: Omit<Partial<CreateEndpointConfigCommandInput>, 'EndpointConfigName' | 'ProductionVariants'> = {},
): Promise<void> {
  await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: `${name}-config`,
      ProductionVariants: variants.map((v) => ({
        VariantName: v.name ?? 'AllTraffic',
        ModelName: v.model,
        InitialInstanceCount: v.count ?? 1,
        InstanceType: 'ml.m5.large',
        ...(v.weight === undefined ? {} : { InitialVariantWeight: v.weight }),
      })),
      ...extra,
    }),
  );
  await sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: `${name}-config` }));
}

/** Starts a built-in XGBoost training job on an uploaded dataset (see `uploadDataset`). */
export async function startXgboostJob(
  sm: SageMakerClient,
  job: string,
  bucket: string,
  dataset: string,
  hyperParameters: Record<string, string>,
): Promise<void> {
  await sm.send(new CreateTrainingJobCommand(xgboostJob(job, bucket, dataset, hyperParameters)));
}

/** Trains the built-in XGBoost on an uploaded dataset and waits for the job to end. */
export async function trainXgboost(
  sm: SageMakerClient,
  job: string,
  bucket: string,
  dataset: string,
  hyperParameters: Record<string, string>,
): Promise<DescribeTrainingJobCommandOutput> {
  await startXgboostJob(sm, job, bucket, dataset, hyperParameters);
  return waitForJob(sm, job);
}

/** CreateModel of a built-in XGBoost artifact (`extra` overrides any member). */
export async function createXgboostModel(
  sm: SageMakerClient,
  name: string,
  modelDataUrl: string,
  extra: Partial<CreateModelCommandInput> = {},
): Promise<void> {
  await sm.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: roleArn,
      PrimaryContainer: { Image: xgboostImage, ModelDataUrl: modelDataUrl },
      ...extra,
    }),
  );
}

/** {@link createEndpoint}, then waits until the endpoint is InService. */
export async function deployEndpoint(
  sm: SageMakerClient,
  name: string,
  variants: readonly Variant[],
  extra: Parameters<typeof createEndpoint>[3] = {},
): Promise<DescribeEndpointCommandOutput> {
  await createEndpoint(sm, name, variants, extra);
  return waitForEndpoint(sm, name);
}
