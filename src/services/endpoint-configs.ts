import { sagemakerArn } from '../domain/arn.js';
import {
  type EndpointConfigDefinition,
  type EndpointConfigRecord,
  shadowsProblem,
  variantsProblem,
} from '../domain/endpoint-config.js';
import { validationError } from '../errors/aws-error.js';
import type { ResourceQuery, StoredResource, Tag } from '../ports/metadata-store.js';
import { type InferenceStoreDeps, modelNotFound } from './models.js';
import { arnExists, createUnique, definitionResource, dropTags } from './unique-resource.js';

/** CreateEndpointConfig's request, shape-validated by the API. */
export interface NewEndpointConfig extends EndpointConfigDefinition {
  readonly Tags?: readonly Tag[];
}

interface StoredEndpointConfig {
  readonly definition: EndpointConfigDefinition;
}

/** SageMaker's answer for a configuration that does not exist. */
export function endpointConfigNotFound(arn: string) {
  return validationError(`Could not find endpoint configuration "${arn}".`);
}

function toRecord(r: StoredResource<StoredEndpointConfig>): EndpointConfigRecord {
  return { name: r.name, arn: r.arn, creationTime: r.creationTime, definition: r.record.definition };
}

/** CreateEndpointConfig, DescribeEndpointConfig, ListEndpointConfigs, DeleteEndpointConfig. */
export function createEndpointConfigService(deps: InferenceStoreDeps) {
  const { resources, tags, scope, now } = deps;
  const arnOf = (name: string) => sagemakerArn(scope, 'endpoint-config', name);

  async function get(name: string): Promise<EndpointConfigRecord> {
    const found = await resources.get<StoredEndpointConfig>('endpoint-config', name);
    if (!found) throw endpointConfigNotFound(arnOf(name));
    return toRecord(found);
  }

  return {
    async create(input: NewEndpointConfig): Promise<EndpointConfigRecord> {
      const { Tags, ...definition } = input;
      const problem = variantsProblem(definition.ProductionVariants);
      if (problem) throw validationError(problem);
      const shadows = definition.ShadowProductionVariants ?? [];
      const shadowProblem = shadowsProblem(definition.ProductionVariants, shadows);
      if (shadowProblem) throw validationError(shadowProblem);
      for (const variant of [...definition.ProductionVariants, ...shadows]) {
        const model = variant.ModelName ?? '';
        if (!(await resources.get('model', model))) throw modelNotFound(sagemakerArn(scope, 'model', model));
      }
      const arn = arnOf(definition.EndpointConfigName);
      const stored = await createUnique(deps, {
        kind: 'endpoint-config',
        name: definition.EndpointConfigName,
        arn,
        exists: validationError(`Cannot create already existing endpoint configuration "${arn}".`),
        build: () =>
          definitionResource('endpoint-config', definition.EndpointConfigName, arn, definition, now()),
        tags: Tags,
      });
      return toRecord(stored);
    },

    get,

    async list(query: ResourceQuery): Promise<EndpointConfigRecord[]> {
      return (await resources.list<StoredEndpointConfig>('endpoint-config', query)).map(toRecord);
    },

    /** Endpoints deployed from the configuration keep running, as in SageMaker. */
    async delete(name: string): Promise<void> {
      const arn = arnOf(name);
      if (!(await resources.delete('endpoint-config', name))) throw endpointConfigNotFound(arn);
      await dropTags(tags, arn);
    },

    /** For the tag service: whether a configuration of this ARN exists. */
    existsArn(arn: string): Promise<boolean> {
      return arnExists(resources, 'endpoint-config', arn);
    },
  };
}

export type EndpointConfigService = ReturnType<typeof createEndpointConfigService>;
