/**
 * Batch transform jobs (CreateTransformJob) as Lathe stores and runs them. Times are epoch
 * milliseconds; the API turns them into seconds. The functions here are the pure rules of a job:
 * cross-member validation, effective settings, records and mini-batches, output names.
 */
import { JsonPathError, parseJsonPath } from './jsonpath.js';

export const transformJobStatuses = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'] as const;
export type TransformJobStatus = (typeof transformJobStatuses)[number];

export const terminalTransformStatuses: ReadonlySet<TransformJobStatus> = new Set([
  'Completed',
  'Failed',
  'Stopped',
]);

/** The validated CreateTransformJob request without its Tags; DescribeTransformJob echoes it. */
export interface TransformJobRequest {
  readonly TransformJobName: string;
  readonly ModelName: string;
  readonly TransformInput: {
    readonly DataSource: { readonly S3DataSource: { readonly S3DataType: string; readonly S3Uri: string } };
    readonly ContentType?: string;
    readonly CompressionType?: string;
    readonly SplitType?: string;
  };
  readonly TransformOutput: {
    readonly S3OutputPath: string;
    readonly Accept?: string;
    readonly AssembleWith?: string;
    readonly KmsKeyId?: string;
  };
  readonly TransformResources: { readonly InstanceType: string; readonly InstanceCount: number };
  readonly MaxConcurrentTransforms?: number;
  readonly MaxPayloadInMB?: number;
  readonly BatchStrategy?: string;
  readonly ModelClientConfig?: {
    readonly InvocationsTimeoutInSeconds?: number;
    readonly InvocationsMaxRetries?: number;
  };
  readonly Environment?: Readonly<Record<string, string>>;
  readonly DataProcessing?: {
    readonly InputFilter?: string;
    readonly OutputFilter?: string;
    readonly JoinSource?: string;
  };
  readonly DataCaptureConfig?: unknown;
  readonly [member: string]: unknown;
}

/** The model's container as the job deploys it (the fleet's ModelSpec, resolved at creation). */
export interface TransformModel {
  readonly modelName: string;
  readonly image: string;
  readonly modelDataUrl?: string;
  readonly compression?: 'Gzip' | 'None';
  /** The model's environment with the job's and SageMaker's batch variables (§7.2). */
  readonly environment: Readonly<Record<string, string>>;
}

/** What is stored per job (the resource record). */
export interface TransformJobState {
  readonly request: TransformJobRequest;
  readonly model: TransformModel;
  readonly failureReason?: string;
  readonly transformStartTime?: number;
  readonly transformEndTime?: number;
}

export interface TransformJobRecord extends TransformJobState {
  readonly name: string;
  readonly arn: string;
  readonly status: TransformJobStatus;
  readonly creationTime: number;
  readonly lastModifiedTime: number;
}

/** How an execution ended; each maps to one final status. */
export type TransformOutcome =
  | { readonly kind: 'completed' }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'stopped' };

/** The final status and FailureReason of an outcome. */
export function finalStatus(outcome: TransformOutcome): {
  status: TransformJobStatus;
  failureReason?: string;
} {
  switch (outcome.kind) {
    case 'completed':
      return { status: 'Completed' };
    case 'failed':
      // FailureReason is at most 1024 characters in SageMaker's model.
      return { status: 'Failed', failureReason: outcome.reason.slice(0, 1024) };
    case 'stopped':
      return { status: 'Stopped' };
  }
}

/** SageMaker's default MaxPayloadInMB. */
export const defaultMaxPayloadInMB = 6;

/** The settings a job runs with: the request's values, else the platform defaults (§7.3). */
export interface TransformSettings {
  readonly splitType: 'None' | 'Line';
  readonly batchStrategy: 'SingleRecord' | 'MultiRecord';
  /** Bytes per request; Infinity for MaxPayloadInMB 0 (no limit). */
  readonly maxPayloadBytes: number;
  /** Requests in flight per instance. */
  readonly maxConcurrentTransforms: number;
  readonly instanceCount: number;
  readonly gzip: boolean;
  readonly assembleWithLine: boolean;
  readonly contentType?: string;
  readonly accept?: string;
  readonly inputFilter: string;
  readonly outputFilter: string;
  readonly joinInput: boolean;
  /** Retries of an invocation that failed for a transient reason (ModelClientConfig). */
  readonly maxRetries: number;
  /** ModelClientConfig.InvocationsTimeoutInSeconds: 600 s unless set, as in SageMaker. */
  readonly invocationTimeoutMs: number;
}

export function transformSettings(request: TransformJobRequest): TransformSettings {
  const mb = request.MaxPayloadInMB ?? defaultMaxPayloadInMB;
  const { ContentType, SplitType, CompressionType } = request.TransformInput;
  const { Accept, AssembleWith } = request.TransformOutput;
  return {
    splitType: SplitType === 'Line' ? 'Line' : 'None',
    batchStrategy: request.BatchStrategy === 'SingleRecord' ? 'SingleRecord' : 'MultiRecord',
    maxPayloadBytes: mb === 0 ? Number.POSITIVE_INFINITY : mb * 1024 * 1024,
    maxConcurrentTransforms: Math.max(1, request.MaxConcurrentTransforms ?? 1),
    instanceCount: request.TransformResources.InstanceCount,
    gzip: CompressionType === 'Gzip',
    assembleWithLine: AssembleWith === 'Line',
    ...(ContentType === undefined ? {} : { contentType: ContentType }),
    ...(Accept === undefined ? {} : { accept: Accept }),
    inputFilter: request.DataProcessing?.InputFilter || '$',
    outputFilter: request.DataProcessing?.OutputFilter || '$',
    joinInput: request.DataProcessing?.JoinSource === 'Input',
    maxRetries: request.ModelClientConfig?.InvocationsMaxRetries ?? 3,
    invocationTimeoutMs: (request.ModelClientConfig?.InvocationsTimeoutInSeconds ?? 600) * 1000,
  };
}

/** The record format a content type names, for DataProcessing; undefined when it names neither. */
export function recordFormat(contentType: string | undefined): 'csv' | 'json' | undefined {
  const t = (contentType ?? '').toLowerCase();
  if (t.includes('csv')) return 'csv';
  if (t.includes('json')) return 'json';
  return undefined;
}

/**
 * What CreateTransformJob refuses beyond the shapes: unsupported options, limits across members,
 * filters outside the JSONPath subset. The message names the field.
 */
export function transformProblem(request: TransformJobRequest): string | undefined {
  const input = request.TransformInput;
  const dataType = input.DataSource.S3DataSource.S3DataType;
  if (dataType !== 'S3Prefix' && dataType !== 'ManifestFile') {
    return `TransformInput.DataSource.S3DataSource.S3DataType ${dataType} is not supported; use S3Prefix or ManifestFile.`;
  }
  if (input.SplitType === 'RecordIO' || input.SplitType === 'TFRecord') {
    return `TransformInput.SplitType ${input.SplitType} is not supported; use None or Line.`;
  }
  const mb = request.MaxPayloadInMB ?? defaultMaxPayloadInMB;
  const concurrent = request.MaxConcurrentTransforms ?? 1;
  if (concurrent * mb > 100) {
    return `MaxConcurrentTransforms (${concurrent}) × MaxPayloadInMB (${mb}) must not exceed 100.`;
  }
  if (request.DataCaptureConfig !== undefined) {
    return 'DataCaptureConfig is not supported yet for transform jobs.';
  }
  const processing = request.DataProcessing;
  for (const field of ['InputFilter', 'OutputFilter'] as const) {
    const expression = processing?.[field];
    if (expression === undefined) continue;
    try {
      parseJsonPath(expression);
    } catch (e) {
      if (e instanceof JsonPathError) return `DataProcessing.${field}: ${e.message}.`;
      throw e;
    }
  }
  if (processing?.JoinSource === 'Input') {
    const from = recordFormat(input.ContentType);
    const to = recordFormat(request.TransformOutput.Accept);
    if (from && to && from !== to) {
      return `DataProcessing.JoinSource Input needs the same format in and out: TransformInput.ContentType '${input.ContentType}' and TransformOutput.Accept '${request.TransformOutput.Accept}' differ.`;
    }
  }
  return undefined;
}

/** The container environment of a job: the model's, the job's, then SageMaker's batch variables. */
export function transformEnvironment(
  modelEnvironment: Readonly<Record<string, string>>,
  request: TransformJobRequest,
): Record<string, string> {
  const env: Record<string, string> = {
    ...modelEnvironment,
    ...request.Environment,
    SAGEMAKER_BATCH: 'true',
  };
  if (request.MaxPayloadInMB !== undefined) env.SAGEMAKER_MAX_PAYLOAD_IN_MB = String(request.MaxPayloadInMB);
  if (request.BatchStrategy !== undefined) {
    env.SAGEMAKER_BATCH_STRATEGY =
      request.BatchStrategy === 'SingleRecord' ? 'SINGLE_RECORD' : 'MULTI_RECORD';
  }
  if (request.MaxConcurrentTransforms !== undefined) {
    env.SAGEMAKER_MAX_CONCURRENT_TRANSFORMS = String(request.MaxConcurrentTransforms);
  }
  return env;
}

/**
 * The transient deployment serving a job. Endpoint names cannot contain `_`, so no user endpoint
 * can take (or invoke) this name.
 */
const TRANSFORM_PREFIX = '__transform__';
export const transformEndpointName = (jobName: string): string => `${TRANSFORM_PREFIX}${jobName}`;

/** The transform job a transient deployment serves, or undefined for a user's endpoint. */
export const transformJobOf = (endpointName: string): string | undefined =>
  endpointName.startsWith(TRANSFORM_PREFIX) ? endpointName.slice(TRANSFORM_PREFIX.length) : undefined;

/** SplitType Line: the records of an object, split on `\n` (a `\r` before it dropped); blank lines skipped. */
export function splitLines(data: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf(0x0a, start);
    if (end < 0) end = data.length;
    let last = end;
    if (last > start && data[last - 1] === 0x0d) last--;
    if (last > start) records.push(data.subarray(start, last));
    start = end + 1;
  }
  return records;
}

/** A mini-batch: records [start, end) of one object. */
export interface RecordRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Packs records into requests: SingleRecord one per request; MultiRecord as many whole records as
 * fit in `maxBytes` once joined with `\n`. A record larger than `maxBytes` is a problem (its index).
 */
export function batchRecords(
  sizes: readonly number[],
  strategy: TransformSettings['batchStrategy'],
  maxBytes: number,
): { ok: true; batches: RecordRange[] } | { ok: false; tooLarge: number } {
  const batches: RecordRange[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i]!;
    if (size > maxBytes) return { ok: false, tooLarge: i };
    const joined = i === start ? size : bytes + 1 + size;
    if (strategy === 'SingleRecord' || (i > start && joined > maxBytes)) {
      if (i > start) batches.push({ start, end: i });
      start = i;
      bytes = size;
    } else {
      bytes = joined;
    }
  }
  if (sizes.length > start) batches.push({ start, end: sizes.length });
  return { ok: true, batches };
}

/** The output object key: the input's path relative to the input prefix, plus `.out`, under the output prefix. */
export function outputKey(outputPrefix: string, relativeName: string): string {
  const prefix = outputPrefix === '' || outputPrefix.endsWith('/') ? outputPrefix : `${outputPrefix}/`;
  return `${prefix}${relativeName}.out`;
}
