import {
  ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createXgboostModel, deployEndpoint, trainXgboost } from '../helpers/endpoints.js';
import { until } from '../helpers/poll.js';
import { clientConfig, startServer, type TestServer } from '../helpers/server.js';
import { clients, uploadDataset } from '../helpers/training.js';

let server: TestServer;
let c: ReturnType<typeof clients>;
let scaling: ApplicationAutoScalingClient;
let runtime: SageMakerRuntimeClient;
const resourceId = 'endpoint/scaled/variant/AllTraffic';
const dimension = 'sagemaker:variant:DesiredInstanceCount';

async function instances(): Promise<number | undefined> {
  const d = await c.sm.send(new DescribeEndpointCommand({ EndpointName: 'scaled' }));
  return d.ProductionVariants?.[0]?.CurrentInstanceCount;
}

beforeAll(async () => {
  server = await startServer({
    env: { LATHE_AUTOSCALE_INTERVAL_SECONDS: '0.5', LATHE_AUTOSCALE_WINDOW_SECONDS: '2' },
  });
  c = clients(server);
  scaling = new ApplicationAutoScalingClient(clientConfig(server));
  runtime = new SageMakerRuntimeClient(clientConfig(server));
  await uploadDataset(c.s3, 'scaling', 'breast-cancer');
  const job = await trainXgboost(c.sm, 'scale-model', 'scaling', 'breast-cancer', {
    num_round: '10',
    objective: 'binary:logistic',
  });
  await createXgboostModel(c.sm, 'scale-model', job.ModelArtifacts!.S3ModelArtifacts!);
  await deployEndpoint(c.sm, 'scaled', [{ model: 'scale-model' }]);
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

describe('Application Auto Scaling of endpoint variants', () => {
  it('refuses a policy before the target is registered, and unknown variants', async () => {
    await expect(
      scaling.send(
        new PutScalingPolicyCommand({
          PolicyName: 'p',
          ServiceNamespace: 'sagemaker',
          ResourceId: resourceId,
          ScalableDimension: dimension,
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: {
            TargetValue: 10,
            PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ObjectNotFoundException' });
    await expect(
      scaling.send(
        new RegisterScalableTargetCommand({
          ServiceNamespace: 'sagemaker',
          ResourceId: 'endpoint/scaled/variant/Nope',
          ScalableDimension: dimension,
          MinCapacity: 1,
          MaxCapacity: 2,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('scales out under load and back in when it stops, with target tracking on invocations per instance', async () => {
    await scaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: 'sagemaker',
        ResourceId: resourceId,
        ScalableDimension: dimension,
        MinCapacity: 1,
        MaxCapacity: 3,
      }),
    );
    await scaling.send(
      new PutScalingPolicyCommand({
        PolicyName: 'invocations',
        ServiceNamespace: 'sagemaker',
        ResourceId: resourceId,
        ScalableDimension: dimension,
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 60,
          PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
          ScaleOutCooldown: 0,
          ScaleInCooldown: 0,
        },
      }),
    );
    const targets = await scaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'sagemaker' }));
    expect(targets.ScalableTargets?.map((t) => [t.ResourceId, t.MinCapacity, t.MaxCapacity])).toEqual([
      [resourceId, 1, 3],
    ]);
    const policies = await scaling.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: 'sagemaker', ResourceId: resourceId }),
    );
    expect(policies.ScalingPolicies?.[0]?.TargetTrackingScalingPolicyConfiguration?.TargetValue).toBe(60);

    // About 40 requests a second: far above 60 a minute per instance.
    let stop = false;
    const load = (async () => {
      while (!stop) {
        await Promise.all(
          Array.from({ length: 4 }, () =>
            runtime
              .send(
                new InvokeEndpointCommand({ EndpointName: 'scaled', ContentType: 'text/csv', Body: '1,2,3' }),
              )
              .catch(() => undefined),
          ),
        );
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await until(async () => (await instances()) === 3, 20_000);
    stop = true;
    await load;
    await until(async () => (await instances()) === 1, 20_000);

    const activities = await scaling.send(
      new DescribeScalingActivitiesCommand({ ServiceNamespace: 'sagemaker', ResourceId: resourceId }),
    );
    const descriptions = (activities.ScalingActivities ?? [])
      .filter((a) => a.StatusCode === 'Successful')
      .map((a) => a.Description);
    expect(descriptions).toContain('Setting desired instance count to 3.');
    expect(descriptions).toContain('Setting desired instance count to 1.');

    await scaling.send(
      new DeleteScalingPolicyCommand({
        PolicyName: 'invocations',
        ServiceNamespace: 'sagemaker',
        ResourceId: resourceId,
        ScalableDimension: dimension,
      }),
    );
    expect(
      (await scaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'sagemaker' })))
        .ScalingPolicies,
    ).toEqual([]);
  });
});
