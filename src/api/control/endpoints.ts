import { adjustDeployment, type DeployedVariant, type EndpointRecord } from '../../domain/endpoint.js';
import type { EndpointService, EndpointView } from '../../services/endpoints.js';
import { type OperationTable, operation } from '../operation.js';
import {
  createEndpointInput,
  endpointNameInput,
  listEndpointsInput,
  updateEndpointInput,
  updateWeightsAndCapacitiesInput,
} from './inference-schemas.js';
import { compact, listOperation, statusFilters } from './models.js';
import { seconds } from './training-jobs.js';

type LiveVariant = NonNullable<EndpointView['live']>[number];

/**
 * DescribeEndpoint's ProductionVariants: the fleet's own figures while it runs, else the
 * deployment's (no current figures while nothing serves yet).
 */
/** ProductionVariantSummary.VariantStatus: what the variant is going through, empty when settled. */
function variantStatus(endpoint: EndpointRecord): unknown[] | undefined {
  const status =
    endpoint.status === 'Creating' || endpoint.status === 'Updating' || endpoint.status === 'Deleting'
      ? endpoint.status
      : undefined;
  if (!status) return undefined;
  const messages = {
    Creating: 'Starting the instances and loading the model',
    Updating: 'Starting the new fleet beside the current one; traffic moves once it is healthy',
    Deleting: 'Stopping the instances',
  } as const;
  return [
    {
      Status: status,
      StatusMessage: messages[status],
      StartTime: seconds(endpoint.operationStartTime ?? endpoint.lastModifiedTime),
    },
  ];
}

function productionVariants(
  endpoint: EndpointRecord,
  live: EndpointView['live'],
  which: 'production' | 'shadow',
): unknown[] | undefined {
  const byName = new Map<string, LiveVariant>((live ?? []).map((s) => [s.variantName, s]));
  const op = endpoint.operation;
  const desired =
    op?.kind === 'adjust' ? adjustDeployment(endpoint.deployment, op.changes) : endpoint.deployment;
  const serving = endpoint.status !== 'Creating' && endpoint.status !== 'Failed';
  const shadow = endpoint.deployment.shadow;
  if (which === 'shadow' && !shadow) return undefined;
  const variants = which === 'shadow' ? [shadow!] : endpoint.deployment.variants;
  return variants.map((v: DeployedVariant, i) => {
    const want = which === 'shadow' ? v : (desired.variants[i] ?? v);
    const state = byName.get(v.variantName);
    const images = [
      {
        SpecifiedImage: v.image,
        ResolvedImage: v.image,
        ResolutionTime: seconds(endpoint.deployment.resolvedAt),
      },
    ];
    const weights = {
      CurrentWeight: state?.currentWeight ?? (serving ? v.weight : undefined),
      DesiredWeight: state?.desiredWeight ?? want.weight,
      VariantStatus: variantStatus(endpoint),
    };
    if (v.serverless) {
      return {
        VariantName: v.variantName,
        DeployedImages: images,
        ...weights,
        CurrentServerlessConfig: serving ? v.serverless : undefined,
        DesiredServerlessConfig: v.serverless,
      };
    }
    return {
      VariantName: v.variantName,
      DeployedImages: images,
      ...weights,
      CurrentInstanceCount: state?.currentInstanceCount ?? (serving ? v.instanceCount : undefined),
      DesiredInstanceCount: state?.desiredInstanceCount ?? want.instanceCount,
    };
  });
}

function describe({ endpoint, live }: EndpointView): Record<string, unknown> {
  const capture = endpoint.deployment.dataCapture;
  const op = endpoint.operation;
  return compact({
    EndpointName: endpoint.name,
    EndpointArn: endpoint.arn,
    EndpointConfigName: endpoint.deployment.endpointConfigName,
    ProductionVariants: productionVariants(endpoint, live, 'production'),
    ShadowProductionVariants: productionVariants(endpoint, live, 'shadow'),
    DataCaptureConfig: capture && {
      EnableCapture: capture.EnableCapture ?? true,
      CaptureStatus: (capture.EnableCapture ?? true) ? 'Started' : 'Stopped',
      CurrentSamplingPercentage: capture.InitialSamplingPercentage,
      DestinationS3Uri: capture.DestinationS3Uri,
      KmsKeyId: capture.KmsKeyId,
    },
    EndpointStatus: endpoint.status,
    FailureReason: endpoint.failureReason,
    CreationTime: seconds(endpoint.creationTime),
    LastModifiedTime: seconds(endpoint.lastModifiedTime),
    LastDeploymentConfig: endpoint.deploymentConfig,
    AsyncInferenceConfig: endpoint.deployment.asyncInference,
    PendingDeploymentSummary:
      op?.kind === 'update'
        ? {
            EndpointConfigName: op.target.endpointConfigName,
            StartTime: seconds(endpoint.operationStartTime),
          }
        : undefined,
  });
}

/**
 * CreateEndpoint, DescribeEndpoint, ListEndpoints, UpdateEndpoint,
 * UpdateEndpointWeightsAndCapacities, DeleteEndpoint.
 */
export function endpointOperations(service: EndpointService): OperationTable {
  return {
    CreateEndpoint: operation(createEndpointInput, async (input) => {
      const endpoint = await service.create(input);
      return { EndpointArn: endpoint.arn };
    }),
    DescribeEndpoint: operation(endpointNameInput, async (input) =>
      describe(await service.describe(input.EndpointName)),
    ),
    ListEndpoints: listOperation(
      listEndpointsInput,
      'Endpoints',
      (q) => service.list(q),
      (e) => ({
        EndpointName: e.name,
        EndpointArn: e.arn,
        CreationTime: seconds(e.creationTime),
        LastModifiedTime: seconds(e.lastModifiedTime),
        EndpointStatus: e.status,
      }),
      statusFilters,
    ),
    UpdateEndpoint: operation(updateEndpointInput, async (input) => {
      const endpoint = await service.update(input);
      return { EndpointArn: endpoint.arn };
    }),
    UpdateEndpointWeightsAndCapacities: operation(updateWeightsAndCapacitiesInput, async (input) => {
      const endpoint = await service.updateWeightsAndCapacities(input);
      return { EndpointArn: endpoint.arn };
    }),
    DeleteEndpoint: operation(endpointNameInput, async (input) => {
      await service.delete(input.EndpointName);
      return {};
    }),
  };
}
