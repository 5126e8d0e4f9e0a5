import type {
  DeployedContainer,
  DeployedVariant,
  Deployment,
  WeightAndCapacity,
} from '../domain/endpoint.js';
import {
  defaultVariantWeight,
  type EndpointConfigRecord,
  type ProductionVariant,
} from '../domain/endpoint-config.js';
import {
  type ContainerDefinition,
  type ModelRecord,
  modelDataOf,
  pipelineMode,
  servedContainers,
} from '../domain/model.js';
import { validationError } from '../errors/aws-error.js';
import type { DeploymentPlan, ModelSpec, VariantSpec } from '../ports/endpoint-fleet.js';
import type { WeightsAndCapacitiesUpdate } from './endpoints.js';

/**
 * Deployments as the endpoint service computes them: what a configuration runs (its models'
 * containers resolved and copied), what the fleet is asked to run, and the changes of
 * UpdateEndpoint's retained properties and of UpdateEndpointWeightsAndCapacities.
 */

/** The deployment of a configuration: each variant with its model's container resolved. */
export function buildDeployment(
  config: EndpointConfigRecord,
  models: ReadonlyMap<string, ModelRecord>,
  at: number,
): Deployment {
  const deploy = (v: ProductionVariant, i: number): DeployedVariant => {
    const model = models.get(v.ModelName ?? '');
    if (!model) throw new Error(`buildDeployment: model '${v.ModelName}' was not loaded`);
    const containers = servedContainers(model.definition).map((c, j) =>
      deployedContainer(c, model.arn, i, j),
    );
    const first = containers[0];
    if (!first) throw validationError(`Model "${model.arn}" has no container image.`);
    const serverless = v.ServerlessConfig;
    return {
      variantName: v.VariantName,
      modelName: model.name,
      image: first.image,
      ...(first.modelDataUrl === undefined
        ? {}
        : { modelDataUrl: first.modelDataUrl, compression: first.compression }),
      environment: first.environment,
      ...(servedContainers(model.definition)[0]?.Mode === 'MultiModel' ? { multiModel: true } : {}),
      ...(containers.length > 1 ? { pipeline: { mode: pipelineMode(model.definition), containers } } : {}),
      ...(v.InstanceType === undefined ? {} : { instanceType: v.InstanceType }),
      ...(v.RoutingConfig?.RoutingStrategy === 'RANDOM' ? { randomRouting: true } : {}),
      weight: v.InitialVariantWeight ?? defaultVariantWeight,
      // A serverless variant starts with one warm instance (its provisioned concurrency, if larger).
      instanceCount: serverless
        ? Math.max(1, serverless.ProvisionedConcurrency ?? 1)
        : (v.InitialInstanceCount ?? 1),
      ...(serverless ? { serverless } : {}),
    };
  };
  const variants = config.definition.ProductionVariants.map(deploy);
  const shadow = config.definition.ShadowProductionVariants?.[0];
  const { DataCaptureConfig, AsyncInferenceConfig } = config.definition;
  return {
    endpointConfigName: config.name,
    variants,
    ...(shadow ? { shadow: deploy(shadow, config.definition.ProductionVariants.length) } : {}),
    ...(DataCaptureConfig ? { dataCapture: DataCaptureConfig } : {}),
    ...(AsyncInferenceConfig ? { asyncInference: AsyncInferenceConfig } : {}),
    resolvedAt: at,
  };
}

function deployedContainer(
  container: ContainerDefinition,
  modelArn: string,
  variant: number,
  index: number,
): DeployedContainer {
  if (!container.Image) throw validationError(`Model "${modelArn}" has no container image.`);
  const data = modelDataOf(container, `ProductionVariants.${variant}.Containers.${index}`);
  if (!data.ok) throw validationError(data.problem);
  return {
    ...(container.ContainerHostname === undefined ? {} : { hostname: container.ContainerHostname }),
    image: container.Image,
    ...(data.data ? { modelDataUrl: data.data.url, compression: data.data.compression } : {}),
    environment: { ...container.Environment },
  };
}

const modelSpecOf = (modelName: string, c: DeployedContainer): ModelSpec => ({
  modelName,
  image: c.image,
  ...(c.modelDataUrl === undefined ? {} : { modelDataUrl: c.modelDataUrl }),
  ...(c.compression === undefined ? {} : { compression: c.compression }),
  environment: c.environment,
});

/** What the fleet is asked to run. */
export function planOf(endpointName: string, deployment: Deployment): DeploymentPlan {
  return {
    endpointName,
    endpointConfigName: deployment.endpointConfigName,
    variants: deployment.variants.map(variantSpecOf),
    ...(deployment.shadow
      ? {
          shadow: {
            variant: variantSpecOf(deployment.shadow),
            share: Math.min(
              1,
              deployment.shadow.weight / Math.max(deployment.variants[0]?.weight ?? 1, 1e-9),
            ),
          },
        }
      : {}),
  };
}

function variantSpecOf(v: DeployedVariant): VariantSpec {
  return {
    variantName: v.variantName,
    model: { ...modelSpecOf(v.modelName, v), ...(v.multiModel ? { multiModel: true } : {}) },
    ...(v.pipeline
      ? {
          pipeline: {
            mode: v.pipeline.mode,
            models: v.pipeline.containers.map((c) => ({
              ...modelSpecOf(v.modelName, c),
              ...(c.hostname === undefined ? {} : { hostname: c.hostname }),
            })),
          },
        }
      : {}),
    initialWeight: v.weight,
    initialInstanceCount: v.instanceCount,
    ...(v.randomRouting ? { randomRouting: true } : {}),
    ...(v.serverless
      ? {
          serverless: {
            memorySizeInMB: v.serverless.MemorySizeInMB,
            maxConcurrency: v.serverless.MaxConcurrency,
            ...(v.serverless.ProvisionedConcurrency === undefined
              ? {}
              : { provisionedConcurrency: v.serverless.ProvisionedConcurrency }),
          },
        }
      : {}),
  };
}

/**
 * UpdateEndpoint with RetainAllVariantProperties: variants of the same name keep their current
 * weight and instance count, and the endpoint its data capture, unless excluded.
 */
export function retainVariantProperties(
  current: Deployment,
  next: Deployment,
  excluded: ReadonlySet<string>,
): Deployment {
  const now = new Map(current.variants.map((v) => [v.variantName, v]));
  const { dataCapture: _next, ...rest } = next;
  const dataCapture = excluded.has('DataCaptureConfig') ? next.dataCapture : current.dataCapture;
  return {
    ...rest,
    ...(dataCapture ? { dataCapture } : {}),
    variants: next.variants.map((v) => {
      const old = now.get(v.variantName);
      if (!old) return v;
      return {
        ...v,
        weight: excluded.has('DesiredWeight') ? v.weight : old.weight,
        instanceCount: excluded.has('DesiredInstanceCount') ? v.instanceCount : old.instanceCount,
      };
    }),
  };
}

/** The changes of UpdateEndpointWeightsAndCapacities, or a ValidationException naming the field. */
export function weightChanges(
  deployment: Deployment,
  arn: string,
  desired: WeightsAndCapacitiesUpdate['DesiredWeightsAndCapacities'],
): WeightAndCapacity[] {
  const variants = new Map(deployment.variants.map((v) => [v.variantName, v]));
  const seen = new Set<string>();
  return desired.map((d, i) => {
    const field = `DesiredWeightsAndCapacities.${i}`;
    const variant = variants.get(d.VariantName);
    if (!variant) {
      throw validationError(`${field}.VariantName: endpoint "${arn}" has no variant '${d.VariantName}'.`);
    }
    if (seen.has(d.VariantName))
      throw validationError(`${field}.VariantName: '${d.VariantName}' is given twice.`);
    seen.add(d.VariantName);
    if (d.ServerlessUpdateConfig !== undefined) {
      throw validationError(`${field}.ServerlessUpdateConfig is not supported yet.`);
    }
    if (d.DesiredWeight === undefined && d.DesiredInstanceCount === undefined) {
      throw validationError(`${field}: give DesiredWeight, DesiredInstanceCount or both.`);
    }
    if (variant.serverless && d.DesiredInstanceCount !== undefined) {
      throw validationError(
        `${field}.DesiredInstanceCount: variant '${d.VariantName}' is serverless and has no instance count.`,
      );
    }
    return {
      variantName: d.VariantName,
      ...(d.DesiredWeight === undefined ? {} : { weight: d.DesiredWeight }),
      ...(d.DesiredInstanceCount === undefined ? {} : { instanceCount: d.DesiredInstanceCount }),
    };
  });
}
