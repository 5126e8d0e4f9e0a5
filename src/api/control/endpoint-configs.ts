import { defaultVariantWeight, type EndpointConfigRecord } from '../../domain/endpoint-config.js';
import type { EndpointConfigService } from '../../services/endpoint-configs.js';
import { type OperationTable, operation } from '../operation.js';
import { createEndpointConfigInput, endpointConfigNameInput, listByNameInput } from './inference-schemas.js';
import { compact, listOperation } from './models.js';
import { seconds } from './training-jobs.js';

function describe(config: EndpointConfigRecord): Record<string, unknown> {
  const { EndpointConfigName: _name, ...definition } = config.definition;
  return compact({
    EndpointConfigName: config.name,
    EndpointConfigArn: config.arn,
    ...definition,
    // SageMaker reports the default weight of variants created without one.
    ProductionVariants: definition.ProductionVariants.map((v) => ({
      ...v,
      InitialVariantWeight: v.InitialVariantWeight ?? defaultVariantWeight,
    })),
    CreationTime: seconds(config.creationTime),
  });
}

/** CreateEndpointConfig, DescribeEndpointConfig, ListEndpointConfigs, DeleteEndpointConfig. */
export function endpointConfigOperations(service: EndpointConfigService): OperationTable {
  return {
    CreateEndpointConfig: operation(createEndpointConfigInput, async (input) => {
      const config = await service.create(input);
      return { EndpointConfigArn: config.arn };
    }),
    DescribeEndpointConfig: operation(endpointConfigNameInput, async (input) =>
      describe(await service.get(input.EndpointConfigName)),
    ),
    ListEndpointConfigs: listOperation(
      listByNameInput,
      'EndpointConfigs',
      (q) => service.list(q),
      (c) => ({
        EndpointConfigName: c.name,
        EndpointConfigArn: c.arn,
        CreationTime: seconds(c.creationTime),
      }),
    ),
    DeleteEndpointConfig: operation(endpointConfigNameInput, async (input) => {
      await service.delete(input.EndpointConfigName);
      return {};
    }),
  };
}
