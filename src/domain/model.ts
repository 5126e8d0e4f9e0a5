/** Models (CreateModel) as Lathe stores them. Times are epoch milliseconds. */

export interface S3ModelDataSource {
  readonly S3Uri: string;
  readonly S3DataType: 'S3Prefix' | 'S3Object';
  readonly CompressionType: 'None' | 'Gzip';
  readonly [member: string]: unknown;
}

/** The members of SageMaker's ContainerDefinition that Lathe reads; others are kept verbatim. */
export interface ContainerDefinition {
  readonly ContainerHostname?: string;
  readonly Image?: string;
  readonly Mode?: 'SingleModel' | 'MultiModel';
  readonly ModelDataUrl?: string;
  readonly ModelDataSource?: {
    readonly S3DataSource?: S3ModelDataSource;
    readonly [member: string]: unknown;
  };
  readonly Environment?: Readonly<Record<string, string>>;
  readonly ModelPackageName?: string;
  readonly [member: string]: unknown;
}

/** The validated CreateModel request, without its Tags. */
export interface ModelDefinition {
  readonly ModelName: string;
  readonly PrimaryContainer?: ContainerDefinition;
  readonly Containers?: readonly ContainerDefinition[];
  readonly ExecutionRoleArn?: string;
  readonly EnableNetworkIsolation?: boolean;
  readonly [member: string]: unknown;
}

export interface ModelRecord {
  readonly name: string;
  readonly arn: string;
  readonly creationTime: number;
  readonly definition: ModelDefinition;
}

/** Where a model's artifacts are, as the serving fleet needs it. */
export interface ModelData {
  readonly url: string;
  readonly compression: 'Gzip' | 'None';
}

/** The one container Lathe serves: PrimaryContainer, or the first element of Containers. */
export function servedContainer(definition: ModelDefinition): ContainerDefinition | undefined {
  return definition.PrimaryContainer ?? definition.Containers?.[0];
}

/** Every container of the model, in order: one, or an inference pipeline's several. */
export function servedContainers(definition: ModelDefinition): readonly ContainerDefinition[] {
  return definition.PrimaryContainer ? [definition.PrimaryContainer] : (definition.Containers ?? []);
}

/** How an inference pipeline runs its containers (InferenceExecutionConfig.Mode, Serial by default). */
export function pipelineMode(definition: ModelDefinition): 'Serial' | 'Direct' {
  const mode = (definition.InferenceExecutionConfig as { Mode?: string } | undefined)?.Mode;
  return mode === 'Direct' ? 'Direct' : 'Serial';
}

/**
 * The model data of a container, or a problem naming the field. `ModelDataUrl` is a
 * `model.tar.gz`; `ModelDataSource.S3DataSource` is a gzipped object or an uncompressed prefix.
 */
export function modelDataOf(
  container: ContainerDefinition,
  field: string,
): { ok: true; data: ModelData | undefined } | { ok: false; problem: string } {
  const source = container.ModelDataSource?.S3DataSource;
  if (container.ModelDataUrl !== undefined && source) {
    return {
      ok: false,
      problem: `${field}: give either ModelDataUrl or ModelDataSource, not both.`,
    };
  }
  if (container.ModelDataUrl !== undefined) {
    return { ok: true, data: { url: container.ModelDataUrl, compression: 'Gzip' } };
  }
  if (!source) return { ok: true, data: undefined };
  if (source.CompressionType === 'Gzip' && source.S3DataType !== 'S3Object') {
    return {
      ok: false,
      problem: `${field}.ModelDataSource.S3DataSource: CompressionType Gzip needs S3DataType S3Object (a model.tar.gz).`,
    };
  }
  if (source.CompressionType === 'None' && source.S3DataType !== 'S3Prefix') {
    return {
      ok: false,
      problem: `${field}.ModelDataSource.S3DataSource: S3DataType S3Object with CompressionType None (a single uncompressed file) is not supported yet; give an S3Prefix whose objects form the model directory, or a model.tar.gz with CompressionType Gzip.`,
    };
  }
  return { ok: true, data: { url: source.S3Uri, compression: source.CompressionType } };
}
