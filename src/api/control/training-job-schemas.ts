import { z } from 'zod';
import { resourceNamePattern } from '../../domain/arn.js';

/** Request shapes of the training-job operations, as SageMaker's API model defines them. */

const pattern = (re: RegExp) => `Member must satisfy regular expression pattern: ${re.source}`;
export const resourceName = z.string().regex(resourceNamePattern, pattern(resourceNamePattern));
const s3Uri = z
  .string()
  .max(1024)
  .regex(/^(https|s3):\/\/[^/]+\/?.*$/, 'Member must be an s3:// URI');
const roleArnPattern = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const epochTime = z.union([
  z.number(),
  z
    .string()
    .datetime({ offset: true })
    .transform((s) => Date.parse(s) / 1000),
]);

export const tagSchema = z.object({
  Key: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, 'Member must satisfy the tag key pattern'),
  Value: z
    .string()
    .max(256)
    .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, 'Member must satisfy the tag value pattern'),
});
export const tagList = z.array(tagSchema).max(50);

const s3DataSource = z.looseObject({
  S3DataType: z.enum(['ManifestFile', 'S3Prefix', 'AugmentedManifestFile']),
  S3Uri: s3Uri,
  S3DataDistributionType: z.enum(['FullyReplicated', 'ShardedByS3Key']).optional(),
  AttributeNames: z.array(z.string()).optional(),
});

const channel = z.looseObject({
  ChannelName: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9.\-_]+$/, 'Member must satisfy regular expression pattern: [A-Za-z0-9\\.\\-_]+'),
  DataSource: z.looseObject({ S3DataSource: s3DataSource }),
  ContentType: z.string().max(256).optional(),
  CompressionType: z.enum(['None', 'Gzip']).optional(),
  RecordWrapperType: z.enum(['None', 'RecordIO']).optional(),
  InputMode: z.enum(['Pipe', 'File', 'FastFile']).optional(),
  ShuffleConfig: z.object({ Seed: z.number().int() }).optional(),
});

const metricDefinition = z.object({
  Name: z.string().min(1).max(255),
  Regex: z.string().min(1).max(500),
});

export const createTrainingJobInput = z.looseObject({
  TrainingJobName: resourceName,
  HyperParameters: z
    .record(z.string().max(256), z.string().max(2500))
    .refine((h) => Object.keys(h).length <= 100, 'Member must have at most 100 entries')
    .optional(),
  AlgorithmSpecification: z.looseObject({
    TrainingImage: z.string().min(1).max(255).optional(),
    AlgorithmName: z.string().min(1).max(170).optional(),
    TrainingInputMode: z.enum(['Pipe', 'File', 'FastFile']),
    MetricDefinitions: z.array(metricDefinition).max(40).optional(),
    EnableSageMakerMetricsTimeSeries: z.boolean().optional(),
    ContainerEntrypoint: z.array(z.string()).max(100).optional(),
    ContainerArguments: z.array(z.string()).max(100).optional(),
  }),
  RoleArn: z.string().min(20).max(2048).regex(roleArnPattern, pattern(roleArnPattern)),
  InputDataConfig: z.array(channel).min(1).max(20).optional(),
  OutputDataConfig: z.looseObject({
    S3OutputPath: s3Uri,
    KmsKeyId: z.string().max(2048).optional(),
    CompressionType: z.enum(['GZIP', 'NONE']).optional(),
  }),
  ResourceConfig: z.looseObject({
    InstanceType: z.string().optional(),
    InstanceCount: z.number().int().min(0).optional(),
    VolumeSizeInGB: z.number().int().min(0),
    KeepAlivePeriodInSeconds: z.number().int().min(0).max(3600).optional(),
  }),
  StoppingCondition: z.looseObject({
    MaxRuntimeInSeconds: z.number().int().min(1).max(2419200).optional(),
    MaxWaitTimeInSeconds: z.number().int().min(1).max(3600000).optional(),
    MaxPendingTimeInSeconds: z.number().int().min(7200).max(2419200).optional(),
  }),
  Environment: z
    .record(
      z
        .string()
        .max(512)
        .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'Member must be an environment variable name'),
      z.string().max(512),
    )
    .refine((e) => Object.keys(e).length <= 100, 'Member must have at most 100 entries')
    .optional(),
  CheckpointConfig: z.looseObject({ S3Uri: s3Uri, LocalPath: z.string().max(4096).optional() }).optional(),
  EnableNetworkIsolation: z.boolean().optional(),
  EnableInterContainerTrafficEncryption: z.boolean().optional(),
  EnableManagedSpotTraining: z.boolean().optional(),
  RetryStrategy: z.object({ MaximumRetryAttempts: z.number().int().min(1).max(30) }).optional(),
  Tags: tagList.optional(),
});
export type CreateTrainingJobInput = z.infer<typeof createTrainingJobInput>;

export const trainingJobNameInput = z.looseObject({ TrainingJobName: resourceName });

export const listTrainingJobsInput = z.looseObject({
  NextToken: z.string().max(8192).optional(),
  MaxResults: z.number().int().min(1).max(100).optional(),
  CreationTimeAfter: epochTime.optional(),
  CreationTimeBefore: epochTime.optional(),
  LastModifiedTimeAfter: epochTime.optional(),
  LastModifiedTimeBefore: epochTime.optional(),
  NameContains: z.string().max(63).optional(),
  StatusEquals: z.enum(['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped']).optional(),
  SortBy: z.enum(['Name', 'CreationTime', 'Status']).optional(),
  SortOrder: z.enum(['Ascending', 'Descending']).optional(),
  WarmPoolStatusEquals: z.string().optional(),
  TrainingPlanArnEquals: z.string().optional(),
});
export type ListTrainingJobsInput = z.infer<typeof listTrainingJobsInput>;
