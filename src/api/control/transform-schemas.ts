import { z } from 'zod';
import { transformJobStatuses } from '../../domain/transform-job.js';
import { modelName } from './inference-schemas.js';
import { resourceName, tagList } from './training-job-schemas.js';

/**
 * Request shapes of the transform-job operations, with the limits and patterns of SageMaker's
 * API model. Rules across members (SplitType, MaxConcurrentTransforms × MaxPayloadInMB, filters,
 * the model existing) are the service's to check.
 */

const pattern = (re: RegExp) => `Member must satisfy regular expression pattern: ${re.source}`;
const s3UriPattern = /^(https|s3):\/\/([^/]+)\/?(.*)$/;
const s3Uri = z.string().max(1024).regex(s3UriPattern, pattern(s3UriPattern));
const epochTime = z.union([
  z.number(),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s) / 1000),
]);
const envKeyPattern = /^[a-zA-Z_][a-zA-Z0-9_]{0,1023}$/;
const instanceTypePattern = /^ml\.[a-z0-9-]+\.[a-z0-9]+$/;

export const createTransformJobInput = z.looseObject({
  TransformJobName: resourceName,
  ModelName: modelName,
  MaxConcurrentTransforms: z.number().int().min(0).optional(),
  ModelClientConfig: z
    .looseObject({
      InvocationsTimeoutInSeconds: z.number().int().min(1).max(3600).optional(),
      InvocationsMaxRetries: z.number().int().min(0).max(3).optional(),
    })
    .optional(),
  MaxPayloadInMB: z.number().int().min(0).max(100).optional(),
  BatchStrategy: z.enum(['MultiRecord', 'SingleRecord']).optional(),
  Environment: z
    .record(z.string().regex(envKeyPattern, pattern(envKeyPattern)), z.string().max(10240))
    .refine((e) => Object.keys(e).length <= 16, 'Member must have at most 16 entries')
    .optional(),
  TransformInput: z.looseObject({
    DataSource: z.looseObject({
      S3DataSource: z.looseObject({
        S3DataType: z.enum(['ManifestFile', 'S3Prefix', 'AugmentedManifestFile']),
        S3Uri: s3Uri,
      }),
    }),
    ContentType: z.string().max(256).optional(),
    CompressionType: z.enum(['None', 'Gzip']).optional(),
    SplitType: z.enum(['None', 'Line', 'RecordIO', 'TFRecord']).optional(),
  }),
  TransformOutput: z.looseObject({
    S3OutputPath: s3Uri,
    Accept: z.string().max(256).optional(),
    AssembleWith: z.enum(['None', 'Line']).optional(),
    KmsKeyId: z.string().max(2048).optional(),
  }),
  TransformResources: z.looseObject({
    InstanceType: z.string().max(64).regex(instanceTypePattern, 'Member must be an ml.* instance type'),
    InstanceCount: z.number().int().min(1),
    VolumeKmsKeyId: z.string().max(2048).optional(),
  }),
  DataCaptureConfig: z.looseObject({ DestinationS3Uri: s3Uri }).optional(),
  DataProcessing: z
    .looseObject({
      InputFilter: z.string().max(63).optional(),
      OutputFilter: z.string().max(63).optional(),
      JoinSource: z.enum(['Input', 'None']).optional(),
    })
    .optional(),
  Tags: tagList.optional(),
  ExperimentConfig: z.looseObject({}).optional(),
});
export type CreateTransformJobInput = z.infer<typeof createTransformJobInput>;

export const transformJobNameInput = z.looseObject({ TransformJobName: resourceName });

const nameContainsPattern = /^[a-zA-Z0-9-]+$/;
export const listTransformJobsInput = z.looseObject({
  NextToken: z.string().max(8192).optional(),
  MaxResults: z.number().int().min(1).max(100).optional(),
  NameContains: z.string().max(63).regex(nameContainsPattern, pattern(nameContainsPattern)).optional(),
  CreationTimeAfter: epochTime.optional(),
  CreationTimeBefore: epochTime.optional(),
  LastModifiedTimeAfter: epochTime.optional(),
  LastModifiedTimeBefore: epochTime.optional(),
  StatusEquals: z.enum(transformJobStatuses).optional(),
  SortBy: z.enum(['Name', 'CreationTime', 'Status']).optional(),
  SortOrder: z.enum(['Ascending', 'Descending']).optional(),
});
export type ListTransformJobsInput = z.infer<typeof listTransformJobsInput>;
