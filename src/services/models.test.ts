import { describe, expect, it } from 'vitest';
import { variantsProblem } from '../domain/endpoint-config.js';
import type { Tag, TagStore } from '../ports/metadata-store.js';
import { resolveServingImage } from '../runtimes/resolve-serving-image.js';
import { memoryResourceStore } from '../testing/memory-resource-store.js';
import { rejection } from '../testing/rejection.js';
import { createEndpointConfigService } from './endpoint-configs.js';
import { createModelService, modelProblem } from './models.js';

const memoryResources = memoryResourceStore;

function memoryTags(): TagStore & { all: Map<string, Tag[]> } {
  const all = new Map<string, Tag[]>();
  return {
    all,
    async add(arn, tags) {
      const kept = (all.get(arn) ?? []).filter((t) => !tags.some((n) => n.Key === t.Key));
      all.set(arn, [...kept, ...tags]);
    },
    async list(arn) {
      return all.get(arn) ?? [];
    },
    async remove(arn, keys) {
      all.set(
        arn,
        (all.get(arn) ?? []).filter((t) => !keys.includes(t.Key)),
      );
      if (!all.get(arn)?.length) all.delete(arn);
    },
  };
}

const scope = { region: 'us-east-1', accountId: '000000000000' };
const xgboost = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
const modelUrl = 's3://bucket/output/job/output/model.tar.gz';

describe('resolveServingImage', () => {
  it('serves built-in XGBoost, and script mode when SAGEMAKER_PROGRAM is set', () => {
    expect(resolveServingImage(xgboost, {})).toMatchObject({
      ok: true,
      runtime: { kind: 'xgboost-builtin' },
    });
    expect(resolveServingImage(xgboost, { SAGEMAKER_PROGRAM: 'serve.py' })).toMatchObject({
      ok: true,
      runtime: { kind: 'python-script' },
    });
  });

  it('runs framework images in script mode, by repository name whatever the registry', () => {
    for (const image of [
      '763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1-cpu-py310',
      'sagemaker-scikit-learn:1.2-1',
      'registry.local/tensorflow-inference:2.13-cpu',
      'x/mxnet-inference:1.9',
      'x/huggingface-pytorch-inference:2.1-transformers4.37-cpu-py310',
    ]) {
      expect(resolveServingImage(image, { SAGEMAKER_PROGRAM: 'inference.py' }), image).toMatchObject({
        ok: true,
        runtime: { kind: 'python-script' },
      });
      const missing = resolveServingImage(image, {});
      expect(missing.ok).toBe(false);
      expect(!missing.ok && missing.reason).toContain('SAGEMAKER_PROGRAM');
    }
    expect(resolveServingImage('lathe-node-inference:1', { SAGEMAKER_PROGRAM: 'serve.ts' })).toMatchObject({
      ok: true,
      runtime: { kind: 'node-script' },
    });
  });

  it('refuses images it cannot run, naming the field and the supported ones', () => {
    const r = resolveServingImage('nginx:latest', {}, 'PrimaryContainer.Image');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(
      /^PrimaryContainer\.Image 'nginx:latest' cannot run here.*sagemaker-xgboost/,
    );
    expect(resolveServingImage('not an image', {}).ok).toBe(false);
    // A training image is not an inference image.
    expect(resolveServingImage('x/pytorch-training:2.1', { SAGEMAKER_PROGRAM: 'a.py' }).ok).toBe(false);
  });
});

describe('modelProblem', () => {
  const ok = { ModelName: 'm', PrimaryContainer: { Image: xgboost, ModelDataUrl: modelUrl } };
  it('accepts one servable container', () => {
    expect(modelProblem(ok)).toBeUndefined();
    expect(modelProblem({ ModelName: 'm', Containers: [{ Image: xgboost }] })).toBeUndefined();
  });
  it('names what is wrong', () => {
    expect(modelProblem({ ModelName: 'm' })).toMatch(/PrimaryContainer .*required/);
    expect(modelProblem({ ...ok, Containers: [{ Image: xgboost }] })).toMatch(
      /either PrimaryContainer or Containers/,
    );
    // Inference pipelines: hostnames for all containers or none, unique; Direct needs them.
    expect(
      modelProblem({ ModelName: 'm', Containers: [{ Image: xgboost }, { Image: xgboost }] }),
    ).toBeUndefined();
    expect(
      modelProblem({
        ModelName: 'm',
        Containers: [{ Image: xgboost, ContainerHostname: 'a' }, { Image: xgboost }],
      }),
    ).toMatch(/to every container of the pipeline or to none/);
    expect(
      modelProblem({
        ModelName: 'm',
        Containers: [
          { Image: xgboost, ContainerHostname: 'a' },
          { Image: xgboost, ContainerHostname: 'a' },
        ],
      }),
    ).toMatch(/must be unique/);
    expect(
      modelProblem({
        ModelName: 'm',
        Containers: [{ Image: xgboost }, { Image: xgboost }],
        InferenceExecutionConfig: { Mode: 'Direct' },
      }),
    ).toMatch(/Direct: every container needs a ContainerHostname/);
    expect(modelProblem({ ModelName: 'm', Containers: [{ Image: xgboost }, { Image: 'redis:7' }] })).toMatch(
      /^Containers\.1\.Image 'redis:7' cannot run here/,
    );
    expect(modelProblem({ ModelName: 'm', PrimaryContainer: {} })).toBe(
      'PrimaryContainer.Image is required.',
    );
    expect(modelProblem({ ModelName: 'm', Containers: [{ Image: 'redis:7' }] })).toMatch(
      /^Containers\.0\.Image 'redis:7' cannot run here/,
    );
    expect(
      modelProblem({
        ModelName: 'm',
        PrimaryContainer: {
          Image: xgboost,
          ModelDataUrl: modelUrl,
          ModelDataSource: {
            S3DataSource: { S3Uri: modelUrl, S3DataType: 'S3Object', CompressionType: 'Gzip' },
          },
        },
      }),
    ).toMatch(/either ModelDataUrl or ModelDataSource/);
    expect(
      modelProblem({
        ModelName: 'm',
        PrimaryContainer: {
          Image: xgboost,
          ModelDataSource: {
            S3DataSource: { S3Uri: 's3://b/p/', S3DataType: 'S3Prefix', CompressionType: 'Gzip' },
          },
        },
      }),
    ).toMatch(/CompressionType Gzip needs S3DataType S3Object/);
  });
});

describe('variantsProblem', () => {
  const v = { VariantName: 'a', ModelName: 'm', InitialInstanceCount: 1, InstanceType: 'ml.m5.large' };
  const serverless = {
    VariantName: 's',
    ModelName: 'm',
    ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 },
  };
  it('accepts instance variants, or serverless ones', () => {
    expect(variantsProblem([v, { ...v, VariantName: 'b' }])).toBeUndefined();
    expect(variantsProblem([serverless])).toBeUndefined();
  });
  it('names the variant and field at fault', () => {
    expect(variantsProblem([v, v])).toMatch(/^ProductionVariants\.1\.VariantName: .*'a'.* unique/);
    expect(variantsProblem([{ ...v, InitialInstanceCount: undefined }])).toMatch(
      /^ProductionVariants\.0\.InitialInstanceCount is required/,
    );
    expect(variantsProblem([{ ...v, InstanceType: undefined }])).toMatch(
      /^ProductionVariants\.0\.InstanceType/,
    );
    expect(variantsProblem([{ ...v, ModelName: undefined }])).toMatch(
      /^ProductionVariants\.0\.ModelName is required/,
    );
    expect(variantsProblem([v, serverless])).toMatch(/cannot be mixed/);
    expect(variantsProblem([{ ...serverless, InitialInstanceCount: 1 }])).toMatch(
      /ServerlessConfig cannot also set/,
    );
    expect(
      variantsProblem([
        {
          ...serverless,
          ServerlessConfig: { MemorySizeInMB: 1024, MaxConcurrency: 2, ProvisionedConcurrency: 3 },
        },
      ]),
    ).toMatch(/ProvisionedConcurrency \(3\) must not exceed MaxConcurrency \(2\)/);
  });
});

describe('model and endpoint-configuration services', () => {
  function setup() {
    const resources = memoryResources();
    const tags = memoryTags();
    const deps = { resources, tags, scope, now: () => 1_700_000_000_000 };
    return { tags, models: createModelService(deps), configs: createEndpointConfigService(deps) };
  }
  const arn = (type: string, name: string) => `arn:aws:sagemaker:us-east-1:000000000000:${type}/${name}`;

  it('creates, describes, refuses duplicates and deletes models with SageMaker messages', async () => {
    const { models, tags } = setup();
    const created = await models.create({
      ModelName: 'My-Model',
      PrimaryContainer: { Image: xgboost, ModelDataUrl: modelUrl },
      Tags: [{ Key: 'team', Value: 'ml' }],
    });
    expect(created.arn).toBe(arn('model', 'my-model'));
    expect(tags.all.get(created.arn)).toEqual([{ Key: 'team', Value: 'ml' }]);
    expect((await models.get('My-Model')).definition).not.toHaveProperty('Tags');
    for (const name of ['My-Model', 'my-model']) {
      expect(
        await rejection(models.create({ ModelName: name, PrimaryContainer: { Image: xgboost } })),
      ).toEqual({
        code: 'ValidationException',
        message: `Cannot create already existing model "${arn('model', 'my-model')}".`,
      });
    }
    await models.delete('My-Model');
    expect(tags.all.has(created.arn)).toBe(false);
    expect(await rejection(models.get('My-Model'))).toEqual({
      code: 'ValidationException',
      message: `Could not find model "${arn('model', 'my-model')}".`,
    });
    expect((await rejection(models.delete('My-Model'))).message).toMatch(/^Could not find model/);
  });

  it('refuses a model it cannot serve', async () => {
    const { models } = setup();
    const e = await rejection(models.create({ ModelName: 'm', PrimaryContainer: { Image: 'nginx' } }));
    expect(e.code).toBe('ValidationException');
    expect(e.message).toMatch(/PrimaryContainer\.Image 'nginx' cannot run here/);
  });

  it('creates configurations of existing models only, and refuses duplicates', async () => {
    const { models, configs } = setup();
    const variant = {
      VariantName: 'v',
      ModelName: 'm',
      InitialInstanceCount: 1,
      InstanceType: 'ml.m5.large',
    };
    expect(
      await rejection(configs.create({ EndpointConfigName: 'c', ProductionVariants: [variant] })),
    ).toEqual({
      code: 'ValidationException',
      message: `Could not find model "${arn('model', 'm')}".`,
    });
    await models.create({ ModelName: 'm', PrimaryContainer: { Image: xgboost, ModelDataUrl: modelUrl } });
    const config = await configs.create({ EndpointConfigName: 'C', ProductionVariants: [variant] });
    expect(config.arn).toBe(arn('endpoint-config', 'c'));
    expect(
      await rejection(configs.create({ EndpointConfigName: 'C', ProductionVariants: [variant] })),
    ).toEqual({
      code: 'ValidationException',
      message: `Cannot create already existing endpoint configuration "${arn('endpoint-config', 'c')}".`,
    });
    await models.delete('m'); // allowed while a configuration refers to it, as in SageMaker
    expect((await configs.get('C')).definition.ProductionVariants).toEqual([variant]);
    await configs.delete('C');
    expect(await rejection(configs.get('C'))).toEqual({
      code: 'ValidationException',
      message: `Could not find endpoint configuration "${arn('endpoint-config', 'c')}".`,
    });
  });
});
