import { z } from 'zod';
import { resourceNamePattern } from '../../domain/arn.js';
import { endpointStatuses } from '../../domain/endpoint.js';
import { resourceName, tagList } from './training-job-schemas.js';

/**
 * Request shapes of the model, endpoint-configuration and endpoint operations, with the limits
 * and patterns of SageMaker's API model. Rules across members (one container, instance or
 * serverless variants, models that exist) are the services' to check.
 */

const pattern = (re: RegExp) => `Member must satisfy regular expression pattern: ${re.source}`;
const modelNamePattern = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
export const modelName = z.string().max(63).regex(modelNamePattern, pattern(modelNamePattern));
const s3UriPattern = /^(https|s3):\/\/([^/]+)\/?(.*)$/;
const s3Uri = (max: number) => z.string().max(max).regex(s3UriPattern, pattern(s3UriPattern));
const roleArnPattern = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const kmsKeyId = z.string().max(2048);
const epochTime = z.union([
  z.number(),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s) / 1000),
]);
const envKeyPattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const environment = z
  .record(z.string().max(1024).regex(envKeyPattern, pattern(envKeyPattern)), z.string().max(1024))
  .refine((e) => Object.keys(e).length <= 100, 'Member must have at most 100 entries');

const s3ModelDataSource = z.looseObject({
  S3Uri: s3Uri(1024),
  S3DataType: z.enum(['S3Prefix', 'S3Object']),
  CompressionType: z.enum(['None', 'Gzip']),
});

const containerDefinition = z.looseObject({
  ContainerHostname: z.string().max(63).regex(resourceNamePattern, pattern(resourceNamePattern)).optional(),
  Image: z
    .string()
    .max(255)
    .regex(/^[\S]+$/, pattern(/[\S]+/))
    .optional(),
  ImageConfig: z.looseObject({ RepositoryAccessMode: z.enum(['Platform', 'Vpc']) }).optional(),
  Mode: z.enum(['SingleModel', 'MultiModel']).optional(),
  ModelDataUrl: s3Uri(1024).optional(),
  ModelDataSource: z.looseObject({ S3DataSource: s3ModelDataSource.optional() }).optional(),
  Environment: environment.optional(),
  ModelPackageName: z.string().min(1).max(176).optional(),
});

export const createModelInput = z.looseObject({
  ModelName: modelName,
  PrimaryContainer: containerDefinition.optional(),
  Containers: z.array(containerDefinition).max(15).optional(),
  InferenceExecutionConfig: z.looseObject({ Mode: z.enum(['Serial', 'Direct']) }).optional(),
  // Optional in the API model (required in practice on AWS); Lathe assumes no role.
  ExecutionRoleArn: z.string().min(20).max(2048).regex(roleArnPattern, pattern(roleArnPattern)).optional(),
  VpcConfig: z.looseObject({}).optional(),
  EnableNetworkIsolation: z.boolean().optional(),
  Tags: tagList.optional(),
});
export type CreateModelInput = z.infer<typeof createModelInput>;

export const modelNameInput = z.looseObject({ ModelName: modelName });

const serverlessConfig = z.looseObject({
  MemorySizeInMB: z.number().int().min(1024).max(6144),
  MaxConcurrency: z.number().int().min(1).max(200),
  ProvisionedConcurrency: z.number().int().min(1).max(200).optional(),
});

const productionVariant = z.looseObject({
  VariantName: resourceName,
  ModelName: modelName.optional(),
  InitialInstanceCount: z.number().int().min(1).optional(),
  InstanceType: z
    .string()
    .max(64)
    .regex(/^ml\.[a-z0-9-]+\.[a-z0-9]+$/, 'Member must be an ml.* instance type')
    .optional(),
  InitialVariantWeight: z.number().min(0).optional(),
  AcceleratorType: z.string().optional(),
  ServerlessConfig: serverlessConfig.optional(),
  VolumeSizeInGB: z.number().int().min(1).max(512).optional(),
  ModelDataDownloadTimeoutInSeconds: z.number().int().min(60).max(3600).optional(),
  ContainerStartupHealthCheckTimeoutInSeconds: z.number().int().min(60).max(3600).optional(),
  RoutingConfig: z
    .looseObject({ RoutingStrategy: z.enum(['LEAST_OUTSTANDING_REQUESTS', 'RANDOM']) })
    .optional(),
});

const contentTypes = z.array(z.string().max(256)).min(1).max(10);

const dataCaptureConfig = z.looseObject({
  EnableCapture: z.boolean().optional(),
  InitialSamplingPercentage: z.number().int().min(0).max(100),
  DestinationS3Uri: s3Uri(512),
  KmsKeyId: kmsKeyId.optional(),
  CaptureOptions: z
    .array(z.looseObject({ CaptureMode: z.enum(['Input', 'Output', 'InputAndOutput']) }))
    .min(1)
    .max(32),
  CaptureContentTypeHeader: z
    .looseObject({ CsvContentTypes: contentTypes.optional(), JsonContentTypes: contentTypes.optional() })
    .optional(),
});

const asyncInferenceConfig = z.looseObject({
  ClientConfig: z
    .looseObject({ MaxConcurrentInvocationsPerInstance: z.number().int().min(1).max(1000).optional() })
    .optional(),
  OutputConfig: z.looseObject({
    KmsKeyId: kmsKeyId.optional(),
    S3OutputPath: s3Uri(512).optional(),
    S3FailurePath: s3Uri(512).optional(),
    NotificationConfig: z
      .looseObject({
        SuccessTopic: z.string().max(2048).optional(),
        ErrorTopic: z.string().max(2048).optional(),
        IncludeInferenceResponseIn: z
          .array(z.enum(['SUCCESS_NOTIFICATION_TOPIC', 'ERROR_NOTIFICATION_TOPIC']))
          .optional(),
      })
      .optional(),
  }),
});

export const createEndpointConfigInput = z.looseObject({
  EndpointConfigName: resourceName,
  ProductionVariants: z.array(productionVariant).min(1).max(10),
  DataCaptureConfig: dataCaptureConfig.optional(),
  Tags: tagList.optional(),
  KmsKeyId: kmsKeyId.optional(),
  AsyncInferenceConfig: asyncInferenceConfig.optional(),
  ShadowProductionVariants: z.array(productionVariant).max(10).optional(),
  ExecutionRoleArn: z.string().min(20).max(2048).regex(roleArnPattern, pattern(roleArnPattern)).optional(),
  EnableNetworkIsolation: z.boolean().optional(),
});
export type CreateEndpointConfigInput = z.infer<typeof createEndpointConfigInput>;

export const endpointConfigNameInput = z.looseObject({ EndpointConfigName: resourceName });

const capacitySize = z.looseObject({
  Type: z.enum(['INSTANCE_COUNT', 'CAPACITY_PERCENT']),
  Value: z.number().int().min(1),
});
const waitSeconds = z.number().int().min(0).max(3600);
const maximumExecutionTimeout = z.number().int().min(600).max(14400);
const deploymentConfig = z.looseObject({
  BlueGreenUpdatePolicy: z
    .looseObject({
      TrafficRoutingConfiguration: z.looseObject({
        Type: z.enum(['ALL_AT_ONCE', 'CANARY', 'LINEAR']),
        WaitIntervalInSeconds: waitSeconds,
        CanarySize: capacitySize.optional(),
        LinearStepSize: capacitySize.optional(),
      }),
      TerminationWaitInSeconds: waitSeconds.optional(),
      MaximumExecutionTimeoutInSeconds: maximumExecutionTimeout.optional(),
    })
    .optional(),
  RollingUpdatePolicy: z
    .looseObject({
      MaximumBatchSize: capacitySize,
      WaitIntervalInSeconds: waitSeconds,
      MaximumExecutionTimeoutInSeconds: maximumExecutionTimeout.optional(),
      RollbackMaximumBatchSize: capacitySize.optional(),
    })
    .optional(),
  AutoRollbackConfiguration: z
    .looseObject({
      Alarms: z
        .array(z.looseObject({ AlarmName: z.string().min(1).max(255) }))
        .max(10)
        .optional(),
    })
    .optional(),
});

export const createEndpointInput = z.looseObject({
  EndpointName: resourceName,
  EndpointConfigName: resourceName,
  DeploymentConfig: deploymentConfig.optional(),
  Tags: tagList.optional(),
});

export const endpointNameInput = z.looseObject({ EndpointName: resourceName });

export const updateEndpointInput = z.looseObject({
  EndpointName: resourceName,
  EndpointConfigName: resourceName,
  RetainAllVariantProperties: z.boolean().optional(),
  ExcludeRetainedVariantProperties: z
    .array(
      z.looseObject({
        VariantPropertyType: z.enum(['DesiredInstanceCount', 'DesiredWeight', 'DataCaptureConfig']),
      }),
    )
    .max(3)
    .optional(),
  DeploymentConfig: deploymentConfig.optional(),
  RetainDeploymentConfig: z.boolean().optional(),
});

export const updateWeightsAndCapacitiesInput = z.looseObject({
  EndpointName: resourceName,
  DesiredWeightsAndCapacities: z
    .array(
      z.looseObject({
        VariantName: resourceName,
        DesiredWeight: z.number().min(0).optional(),
        DesiredInstanceCount: z.number().int().min(0).optional(),
        ServerlessUpdateConfig: z.looseObject({}).optional(),
      }),
    )
    .min(1),
});

const nameContainsPattern = /^[a-zA-Z0-9-]+$/;
const listBase = {
  NextToken: z.string().max(8192).optional(),
  MaxResults: z.number().int().min(1).max(100).optional(),
  NameContains: z.string().max(63).regex(nameContainsPattern, pattern(nameContainsPattern)).optional(),
  CreationTimeBefore: epochTime.optional(),
  CreationTimeAfter: epochTime.optional(),
  SortOrder: z.enum(['Ascending', 'Descending']).optional(),
};

/** ListModels and ListEndpointConfigs. */
export const listByNameInput = z.looseObject({
  ...listBase,
  SortBy: z.enum(['Name', 'CreationTime']).optional(),
});
export type ListByNameInput = z.infer<typeof listByNameInput>;

export const listEndpointsInput = z.looseObject({
  ...listBase,
  LastModifiedTimeBefore: epochTime.optional(),
  LastModifiedTimeAfter: epochTime.optional(),
  StatusEquals: z.enum(endpointStatuses).optional(),
  SortBy: z.enum(['Name', 'CreationTime', 'Status']).optional(),
});
export type ListEndpointsInput = z.infer<typeof listEndpointsInput>;
