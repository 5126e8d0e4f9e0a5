import { type ArnScope, sagemakerArn } from '../domain/arn.js';
import {
  type ContainerDefinition,
  type ModelDefinition,
  type ModelRecord,
  modelDataOf,
  pipelineMode,
} from '../domain/model.js';
import { validationError } from '../errors/aws-error.js';
import type { ResourceQuery, ResourceStore, StoredResource, Tag, TagStore } from '../ports/metadata-store.js';
import { resolveServingImage } from '../runtimes/resolve-serving-image.js';
import { arnExists, createUnique, definitionResource, dropTags } from './unique-resource.js';

/** What the model, endpoint-configuration and endpoint services share. */
export interface InferenceStoreDeps {
  readonly resources: ResourceStore;
  readonly tags: TagStore;
  readonly scope: ArnScope;
  readonly now: () => number;
}

/** CreateModel's request, shape-validated by the API. */
export interface NewModel extends ModelDefinition {
  readonly Tags?: readonly Tag[];
}

interface StoredModel {
  readonly definition: ModelDefinition;
}

/** SageMaker's answer for a model that does not exist (a ValidationException, not ResourceNotFound). */
export function modelNotFound(arn: string) {
  return validationError(`Could not find model "${arn}".`);
}

/**
 * Checks that Lathe can serve the model: each container with an image it knows and model data it
 * can fetch; for an inference pipeline, hostnames as SageMaker requires them.
 */
export function modelProblem(definition: ModelDefinition): string | undefined {
  const { PrimaryContainer, Containers } = definition;
  if (PrimaryContainer && Containers) return 'Give either PrimaryContainer or Containers, not both.';
  if (!PrimaryContainer && !Containers?.length) return 'PrimaryContainer (or Containers) is required.';
  if (PrimaryContainer) return containerProblem(PrimaryContainer, 'PrimaryContainer');
  const containers = Containers!;
  for (const [i, c] of containers.entries()) {
    const problem = containerProblem(c, `Containers.${i}`);
    if (problem) return problem;
    if (c.Mode === 'MultiModel' && containers.length > 1) {
      return `Containers.${i}.Mode MultiModel: a multi-model container cannot be part of an inference pipeline.`;
    }
  }
  const hostnames = containers.map((c) => c.ContainerHostname);
  const named = hostnames.filter((h) => h !== undefined);
  if (pipelineMode(definition) === 'Direct' && named.length < containers.length) {
    return 'InferenceExecutionConfig.Mode Direct: every container needs a ContainerHostname, which requests name to reach it.';
  }
  if (named.length > 0 && named.length < containers.length) {
    return 'Containers: give a ContainerHostname to every container of the pipeline or to none.';
  }
  if (new Set(named).size < named.length) return 'Containers: ContainerHostname values must be unique.';
  return undefined;
}

function containerProblem(container: ContainerDefinition, field: string): string | undefined {
  if (container.ModelPackageName !== undefined) {
    return `${field}.ModelPackageName is not supported yet: Lathe has no model packages; give ${field}.Image.`;
  }
  if (!container.Image) return `${field}.Image is required.`;
  if (container.Mode === 'MultiModel' && !container.ModelDataUrl?.startsWith('s3://')) {
    return `${field}.ModelDataUrl: a MultiModel container needs the S3 prefix its models are under (s3://bucket/prefix/).`;
  }
  const resolved = resolveServingImage(container.Image, container.Environment ?? {}, `${field}.Image`);
  if (!resolved.ok) return resolved.reason;
  const data = modelDataOf(container, field);
  return data.ok ? undefined : data.problem;
}

function toRecord(r: StoredResource<StoredModel>): ModelRecord {
  return { name: r.name, arn: r.arn, creationTime: r.creationTime, definition: r.record.definition };
}

/** CreateModel, DescribeModel, ListModels, DeleteModel. */
export function createModelService(deps: InferenceStoreDeps) {
  const { resources, tags, scope, now } = deps;
  const arnOf = (name: string) => sagemakerArn(scope, 'model', name);

  async function get(name: string): Promise<ModelRecord> {
    const found = await resources.get<StoredModel>('model', name);
    if (!found) throw modelNotFound(arnOf(name));
    return toRecord(found);
  }

  return {
    async create(input: NewModel): Promise<ModelRecord> {
      const { Tags, ...definition } = input;
      const problem = modelProblem(definition);
      if (problem) throw validationError(problem);
      const arn = arnOf(definition.ModelName);
      const stored = await createUnique(deps, {
        kind: 'model',
        name: definition.ModelName,
        arn,
        exists: validationError(`Cannot create already existing model "${arn}".`),
        build: () => definitionResource('model', definition.ModelName, arn, definition, now()),
        tags: Tags,
      });
      return toRecord(stored);
    },

    get,

    async list(query: ResourceQuery): Promise<ModelRecord[]> {
      return (await resources.list<StoredModel>('model', query)).map(toRecord);
    },

    /** Endpoints already running the model keep running, as in SageMaker. */
    async delete(name: string): Promise<void> {
      const arn = arnOf(name);
      if (!(await resources.delete('model', name))) throw modelNotFound(arn);
      await dropTags(tags, arn);
    },

    /** For the tag service: whether a model of this ARN exists. */
    existsArn(arn: string): Promise<boolean> {
      return arnExists(resources, 'model', arn);
    },
  };
}

export type ModelService = ReturnType<typeof createModelService>;
