import { describe, expect, it } from 'vitest';
import { settle } from '../domain/endpoint.js';
import type { EndpointConfigRecord } from '../domain/endpoint-config.js';
import type { ModelRecord } from '../domain/model.js';
import type { DeploymentPlan, EndpointFleet, VariantState } from '../ports/endpoint-fleet.js';
import type { TagStore } from '../ports/metadata-store.js';
import { memoryResourceStore } from '../testing/memory-resource-store.js';
import { rejection } from '../testing/rejection.js';
import { createEndpointConfigService } from './endpoint-configs.js';
import { buildDeployment, planOf, retainVariantProperties } from './endpoint-deployments.js';
import { createEndpointService } from './endpoints.js';
import { createModelService } from './models.js';

const memoryResources = memoryResourceStore;

const noTags: TagStore = { add: async () => {}, list: async () => [], remove: async () => {} };

interface Deferred {
  resolve(): void;
  reject(e: Error): void;
}

/** A fleet whose operations settle when the test says so; it records every call. */
function scriptedFleet() {
  const calls: { op: string; arg: unknown }[] = [];
  const waiting: Deferred[] = [];
  const states = new Map<string, VariantState[]>();
  const call = (op: string, arg: unknown) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ op, arg });
      waiting.push({ resolve, reject });
    });
  const fleet: EndpointFleet = {
    deploy: (plan: DeploymentPlan) => call('deploy', plan),
    update: (plan: DeploymentPlan) => call('update', plan),
    adjust: (name, changes) => call('adjust', { name, changes }),
    remove: (name) => call('remove', name),
    cancelUpdate: () => {},
    state: (name) => states.get(name),
  };
  /** Settles the oldest unsettled call, then lets the service record the outcome. */
  async function settleNext(error?: string): Promise<void> {
    for (let i = 0; i < 20 && waiting.length === 0; i++) await new Promise((r) => setImmediate(r));
    const next = waiting.shift();
    if (!next) throw new Error('no fleet call is waiting');
    if (error) next.reject(new Error(error));
    else next.resolve();
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  }
  return { fleet, calls, states, settleNext };
}

const scope = { region: 'us-east-1', accountId: '000000000000' };
const xgboost = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
const modelUrl = 's3://bucket/out/job/output/model.tar.gz';
const endpointArn = (name: string) => `arn:aws:sagemaker:us-east-1:000000000000:endpoint/${name}`;
const variant = (name: string, model: string, extra: Record<string, unknown> = {}) => ({
  VariantName: name,
  ModelName: model,
  InitialInstanceCount: 1,
  InstanceType: 'ml.m5.large',
  ...extra,
});

async function setup() {
  const resources = memoryResources();
  let clock = 1_700_000_000_000;
  const deps = { resources, tags: noTags, scope, now: () => (clock += 1000) };
  const scripted = scriptedFleet();
  const models = createModelService(deps);
  const configs = createEndpointConfigService(deps);
  const endpoints = createEndpointService({ ...deps, fleet: scripted.fleet });
  await models.create({ ModelName: 'a', PrimaryContainer: { Image: xgboost, ModelDataUrl: modelUrl } });
  await models.create({
    ModelName: 'b',
    PrimaryContainer: {
      Image: xgboost,
      ModelDataUrl: modelUrl,
      Environment: { SAGEMAKER_PROGRAM: 'serve.py' },
    },
  });
  await configs.create({
    EndpointConfigName: 'two',
    ProductionVariants: [
      variant('va', 'a', { InitialVariantWeight: 3 }),
      variant('vb', 'b', { InitialInstanceCount: 2 }),
    ],
    DataCaptureConfig: {
      InitialSamplingPercentage: 50,
      DestinationS3Uri: 's3://bucket/capture',
      CaptureOptions: [{ CaptureMode: 'Input' }],
    },
  });
  await configs.create({ EndpointConfigName: 'one', ProductionVariants: [variant('va', 'b')] });
  const status = async (name: string) => (await endpoints.describe(name)).endpoint;
  return { resources, models, configs, endpoints, status, ...scripted };
}

describe('deployment plans', () => {
  const model = (name: string, env: Record<string, string> = {}): ModelRecord => ({
    name,
    arn: `arn:model/${name}`,
    creationTime: 0,
    definition: {
      ModelName: name,
      PrimaryContainer: { Image: xgboost, ModelDataUrl: modelUrl, Environment: env },
    },
  });
  const config = (
    variants: EndpointConfigRecord['definition']['ProductionVariants'],
  ): EndpointConfigRecord => ({
    name: 'cfg',
    arn: 'arn:cfg',
    creationTime: 0,
    definition: { EndpointConfigName: 'cfg', ProductionVariants: variants },
  });

  it('resolves each variant to its model, with SageMaker defaults', () => {
    const models = new Map([
      ['a', model('a')],
      ['b', model('b', { SAGEMAKER_PROGRAM: 'x.py' })],
    ]);
    const deployment = buildDeployment(
      config([
        variant('va', 'a'),
        variant('vb', 'b', { InitialInstanceCount: 3, InitialVariantWeight: 0.5 }),
      ]),
      models,
      42,
    );
    expect(planOf('ep', deployment)).toEqual({
      endpointName: 'ep',
      endpointConfigName: 'cfg',
      variants: [
        {
          variantName: 'va',
          model: {
            modelName: 'a',
            image: xgboost,
            modelDataUrl: modelUrl,
            compression: 'Gzip',
            environment: {},
          },
          initialWeight: 1,
          initialInstanceCount: 1,
        },
        {
          variantName: 'vb',
          model: {
            modelName: 'b',
            image: xgboost,
            modelDataUrl: modelUrl,
            compression: 'Gzip',
            environment: { SAGEMAKER_PROGRAM: 'x.py' },
          },
          initialWeight: 0.5,
          initialInstanceCount: 3,
        },
      ],
    } satisfies DeploymentPlan);
    expect(deployment.resolvedAt).toBe(42);
  });

  it('passes serverless settings and an uncompressed prefix through', () => {
    const prefixModel: ModelRecord = {
      ...model('p'),
      definition: {
        ModelName: 'p',
        PrimaryContainer: {
          Image: xgboost,
          ModelDataSource: {
            S3DataSource: { S3Uri: 's3://b/model/', S3DataType: 'S3Prefix', CompressionType: 'None' },
          },
        },
      },
    };
    const deployment = buildDeployment(
      config([
        {
          VariantName: 's',
          ModelName: 'p',
          ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 4, ProvisionedConcurrency: 2 },
        },
      ]),
      new Map([['p', prefixModel]]),
      0,
    );
    expect(planOf('ep', deployment).variants[0]).toEqual({
      variantName: 's',
      model: {
        modelName: 'p',
        image: xgboost,
        modelDataUrl: 's3://b/model/',
        compression: 'None',
        environment: {},
      },
      initialWeight: 1,
      initialInstanceCount: 2,
      serverless: { memorySizeInMB: 2048, maxConcurrency: 4, provisionedConcurrency: 2 },
    });
  });

  it('retains current weights and counts on request, except the excluded ones', () => {
    const models = new Map([['a', model('a')]]);
    const current = buildDeployment(
      config([variant('va', 'a', { InitialInstanceCount: 4, InitialVariantWeight: 2 })]),
      models,
      0,
    );
    const next = buildDeployment(config([variant('va', 'a'), variant('new', 'a')]), models, 1);
    const kept = retainVariantProperties(current, next, new Set());
    expect(kept.variants.map((v) => [v.variantName, v.weight, v.instanceCount])).toEqual([
      ['va', 2, 4],
      ['new', 1, 1],
    ]);
    const weightsFromConfig = retainVariantProperties(current, next, new Set(['DesiredWeight']));
    expect(weightsFromConfig.variants[0]).toMatchObject({ weight: 1, instanceCount: 4 });
  });

  it('ignores the outcome of an operation that is no longer the endpoint’s', () => {
    const deployment = buildDeployment(config([variant('va', 'a')]), new Map([['a', model('a')]]), 0);
    const current = {
      status: 'Deleting' as const,
      deployment,
      operation: { id: '2', kind: 'remove' as const },
    };
    expect(settle(current, '1', { ok: true })).toBeUndefined();
    expect(settle(current, '2', { ok: true })).toBeUndefined();
  });
});

describe('endpoint service', () => {
  it('answers Creating at once, then InService when the fleet is up', async () => {
    const t = await setup();
    const created = await t.endpoints.create({ EndpointName: 'Ep', EndpointConfigName: 'two' });
    expect(created).toMatchObject({ arn: endpointArn('ep'), status: 'Creating' });
    await t.settleNext();
    expect(t.calls.map((c) => c.op)).toEqual(['deploy']);
    expect((t.calls[0]!.arg as DeploymentPlan).variants.map((v) => v.initialWeight)).toEqual([3, 1]);
    const ep = await t.status('Ep');
    expect(ep.status).toBe('InService');
    expect(ep.operation).toBeUndefined();
    expect(ep.deployment.dataCapture?.InitialSamplingPercentage).toBe(50);
  });

  it('fails an endpoint whose fleet cannot start, with the fleet’s reason', async () => {
    const t = await setup();
    await t.endpoints.create({ EndpointName: 'ep', EndpointConfigName: 'one' });
    await t.settleNext('ClientError: the model archive has no model file');
    expect(await t.status('ep')).toMatchObject({
      status: 'Failed',
      failureReason: 'ClientError: the model archive has no model file',
    });
  });

  it('answers SageMaker’s messages for duplicates and missing resources', async () => {
    const t = await setup();
    await t.endpoints.create({ EndpointName: 'ep', EndpointConfigName: 'one' });
    expect(await rejection(t.endpoints.create({ EndpointName: 'EP', EndpointConfigName: 'one' }))).toEqual({
      code: 'ValidationException',
      message: `Cannot create already existing endpoint "${endpointArn('ep')}".`,
    });
    expect(await rejection(t.endpoints.create({ EndpointName: 'x', EndpointConfigName: 'nope' }))).toEqual({
      code: 'ValidationException',
      message:
        'Could not find endpoint configuration "arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/nope".',
    });
    for (const call of [t.endpoints.describe('Missing'), t.endpoints.delete('Missing')]) {
      expect(await rejection(call)).toEqual({
        code: 'ValidationException',
        message: `Could not find endpoint "${endpointArn('missing')}".`,
      });
    }
  });

  it('refuses to update an endpoint that is not InService', async () => {
    const t = await setup();
    await t.endpoints.create({ EndpointName: 'ep', EndpointConfigName: 'one' });
    expect(await rejection(t.endpoints.update({ EndpointName: 'ep', EndpointConfigName: 'two' }))).toEqual({
      code: 'ValidationException',
      message: `Cannot update in-progress endpoint "${endpointArn('ep')}".`,
    });
    expect(
      (
        await rejection(
          t.endpoints.updateWeightsAndCapacities({
            EndpointName: 'ep',
            DesiredWeightsAndCapacities: [{ VariantName: 'va', DesiredWeight: 1 }],
          }),
        )
      ).message,
    ).toBe(`Cannot update in-progress endpoint "${endpointArn('ep')}".`);
  });

  it('switches configuration on a successful update, keeps the old one on a failed one', async () => {
    const t = await setup();
    await t.endpoints.create({ EndpointName: 'ep', EndpointConfigName: 'one' });
    await t.settleNext();
    const updating = await t.endpoints.update({ EndpointName: 'ep', EndpointConfigName: 'two' });
    expect(updating.status).toBe('Updating');
    expect(updating.deployment.endpointConfigName).toBe('one'); // still serving the old fleet
    await t.settleNext('health check failed');
    expect(await t.status('ep')).toMatchObject({
      status: 'InService',
      failureReason: 'health check failed',
      deployment: { endpointConfigName: 'one' },
    });
    await t.endpoints.update({ EndpointName: 'ep', EndpointConfigName: 'two' });
    await t.settleNext();
    const ep = await t.status('ep');
    expect(ep).toMatchObject({ status: 'InService', deployment: { endpointConfigName: 'two' } });
    expect(ep.failureReason).toBeUndefined();
    expect(t.calls.map((c) => c.op)).toEqual(['deploy', 'update', 'update']);
  });

  it('adjusts weights and counts in place, validating the variants', async () => {
    const t = await setup();
    await t.endpoints.create({ EndpointName: 'ep', EndpointConfigName: 'two' });
    await t.settleNext();
    const adjust = (
      desired: { VariantName: string; DesiredWeight?: number; DesiredInstanceCount?: number }[],
    ) => t.endpoints.updateWeightsAndCapacities({ EndpointName: 'ep', DesiredWeightsAndCapacities: desired });
    expect((await rejection(adjust([{ VariantName: 'zz', DesiredWeight: 1 }]))).message).toMatch(
      /^DesiredWeightsAndCapacities\.0\.VariantName: endpoint ".*" has no variant 'zz'/,
    );
    expect((await rejection(adjust([{ VariantName: 'va' }]))).message).toMatch(
      /give DesiredWeight, DesiredInstanceCount/,
    );
    expect((await adjust([{ VariantName: 'vb', DesiredWeight: 0, DesiredInstanceCount: 3 }])).status).toBe(
      'Updating',
    );
    await t.settleNext();
    expect(t.calls[1]).toEqual({
      op: 'adjust',
      arg: { name: 'ep', changes: [{ variantName: 'vb', weight: 0, instanceCount: 3 }] },
    });
    const ep = await t.status('ep');
    expect(ep.status).toBe('InService');
    expect(ep.deployment.variants.map((v) => [v.variantName, v.weight, v.instanceCount])).toEqual([
      ['va', 3, 1],
      ['vb', 0, 3],
    ]);
  });

  it('deletes after the fleet is removed, even while creating, and keeps running when its config or model goes', async () => {
    const t = await setup();
    await t.endpoints.create({ EndpointName: 'ep', EndpointConfigName: 'one' });
    await t.configs.delete('one');
    await t.models.delete('b');
    await t.endpoints.delete('ep');
    expect((await t.status('ep')).status).toBe('Deleting');
    await t.settleNext(); // the deploy settles: superseded, no status change
    expect((await t.status('ep')).status).toBe('Deleting');
    await t.settleNext(); // the removal
    expect(t.calls.map((c) => c.op)).toEqual(['deploy', 'remove']);
    expect((await rejection(t.endpoints.describe('ep'))).message).toBe(
      `Could not find endpoint "${endpointArn('ep')}".`,
    );
    await t.endpoints.idle();
  });

  it('records no outcome after close: a shutdown does not fail the endpoints it interrupts', async () => {
    const t = await setup();
    await t.endpoints.create({ EndpointName: 'ep', EndpointConfigName: 'one' });
    t.endpoints.close();
    await t.settleNext('the fleet is shutting down');
    expect((await t.status('ep')).status).toBe('Creating');
  });

  it('recovers after a restart: redeploys what ran, finishes deletions', async () => {
    const t = await setup();
    for (const name of ['serving', 'creating', 'updating', 'deleting', 'broken']) {
      await t.endpoints.create({ EndpointName: name, EndpointConfigName: 'one' });
    }
    await t.settleNext(); // serving
    await t.settleNext(); // creating: let it be InService, then pretend it was interrupted below
    await t.settleNext(); // updating
    await t.settleNext(); // deleting
    await t.settleNext('no'); // broken → Failed, stays so
    await t.endpoints.update({ EndpointName: 'updating', EndpointConfigName: 'two' });
    await t.endpoints.delete('deleting');
    await t.resources.update('endpoint', 'creating', (c) => ({ ...c, status: 'Creating' }));
    await t.configs.delete('one'); // recovery uses what was deployed, not the configuration

    // A new server process: same store, a fresh service and fleet.
    const fresh = scriptedFleet();
    const restarted = createEndpointService({
      resources: t.resources,
      tags: noTags,
      scope,
      now: () => 1_800_000_000_000,
      fleet: fresh.fleet,
    });
    expect(await restarted.recover()).toEqual({
      redeployed: ['serving', 'creating', 'updating'],
      deleted: ['deleting'],
    });
    const now = async (name: string) => (await restarted.describe(name)).endpoint;
    expect((await now('creating')).status).toBe('Creating');
    expect(await now('updating')).toMatchObject({
      status: 'InService',
      deployment: { endpointConfigName: 'one' },
      failureReason: expect.stringMatching(/restarted while the endpoint was updating/),
    });
    await fresh.settleNext(); // serving
    await fresh.settleNext('port in use'); // creating
    await fresh.settleNext(); // updating
    await fresh.settleNext(); // deleting: removed
    expect(
      fresh.calls.map((c) => [
        c.op,
        typeof c.arg === 'string' ? c.arg : (c.arg as DeploymentPlan).endpointName,
      ]),
    ).toEqual([
      ['deploy', 'serving'],
      ['deploy', 'creating'],
      ['deploy', 'updating'],
      ['remove', 'deleting'],
    ]);
    expect((await now('serving')).status).toBe('InService');
    expect(await now('creating')).toMatchObject({ status: 'Failed', failureReason: 'port in use' });
    expect((await now('updating')).failureReason).toMatch(/restarted/);
    expect((await now('broken')).status).toBe('Failed');
    expect((await rejection(now('deleting'))).message).toMatch(/^Could not find endpoint/);
  });
});
