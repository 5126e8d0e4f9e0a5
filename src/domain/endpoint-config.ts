/** Endpoint configurations (CreateEndpointConfig) as Lathe stores them. Times are epoch milliseconds. */

export interface ServerlessConfig {
  readonly MemorySizeInMB: number;
  readonly MaxConcurrency: number;
  readonly ProvisionedConcurrency?: number;
}

/** The members of SageMaker's ProductionVariant that Lathe reads; others are kept verbatim. */
export interface ProductionVariant {
  readonly VariantName: string;
  readonly ModelName?: string;
  readonly InitialInstanceCount?: number;
  readonly InstanceType?: string;
  readonly InitialVariantWeight?: number;
  readonly ServerlessConfig?: ServerlessConfig;
  readonly RoutingConfig?: { readonly RoutingStrategy?: 'LEAST_OUTSTANDING_REQUESTS' | 'RANDOM' };
  readonly [member: string]: unknown;
}

/** Stored verbatim for data capture and model monitoring. */
export interface DataCaptureConfig {
  readonly EnableCapture?: boolean;
  readonly InitialSamplingPercentage: number;
  readonly DestinationS3Uri: string;
  readonly KmsKeyId?: string;
  readonly CaptureOptions: readonly { readonly CaptureMode: 'Input' | 'Output' | 'InputAndOutput' }[];
  readonly CaptureContentTypeHeader?: {
    readonly CsvContentTypes?: readonly string[];
    readonly JsonContentTypes?: readonly string[];
  };
  readonly [member: string]: unknown;
}

/** Stored verbatim for asynchronous inference. */
export interface AsyncInferenceConfig {
  readonly ClientConfig?: { readonly MaxConcurrentInvocationsPerInstance?: number };
  readonly OutputConfig: {
    readonly S3OutputPath?: string;
    readonly S3FailurePath?: string;
    readonly KmsKeyId?: string;
    readonly NotificationConfig?: Readonly<Record<string, unknown>>;
  };
  readonly [member: string]: unknown;
}

/** The validated CreateEndpointConfig request, without its Tags. */
export interface EndpointConfigDefinition {
  readonly EndpointConfigName: string;
  readonly ProductionVariants: readonly ProductionVariant[];
  /** At most one, beside exactly one production variant (SageMaker's shadow testing). */
  readonly ShadowProductionVariants?: readonly ProductionVariant[];
  readonly DataCaptureConfig?: DataCaptureConfig;
  readonly AsyncInferenceConfig?: AsyncInferenceConfig;
  readonly KmsKeyId?: string;
  readonly [member: string]: unknown;
}

export interface EndpointConfigRecord {
  readonly name: string;
  readonly arn: string;
  readonly creationTime: number;
  readonly definition: EndpointConfigDefinition;
}

/** SageMaker's default InitialVariantWeight. */
export const defaultVariantWeight = 1.0;

/**
 * Rules across variants that a schema cannot say: unique names, instance or serverless (never
 * both, and not mixed across variants), provisioned concurrency within the maximum. Returns the
 * first problem, naming the field, or undefined.
 */
export function variantsProblem(variants: readonly ProductionVariant[]): string | undefined {
  const seen = new Set<string>();
  for (const [i, v] of variants.entries()) {
    const field = `ProductionVariants.${i}`;
    if (seen.has(v.VariantName)) {
      return `${field}.VariantName: the variant name '${v.VariantName}' is used twice; variant names must be unique.`;
    }
    seen.add(v.VariantName);
    if (v.ModelName === undefined) {
      return `${field}.ModelName is required: Lathe serves each variant from a model (inference components are not supported yet).`;
    }
    const serverless = v.ServerlessConfig;
    if (serverless) {
      if (v.InitialInstanceCount !== undefined || v.InstanceType !== undefined) {
        return `${field}: a variant with ServerlessConfig cannot also set InstanceType or InitialInstanceCount.`;
      }
      const provisioned = serverless.ProvisionedConcurrency;
      if (provisioned !== undefined && provisioned > serverless.MaxConcurrency) {
        return `${field}.ServerlessConfig.ProvisionedConcurrency (${provisioned}) must not exceed MaxConcurrency (${serverless.MaxConcurrency}).`;
      }
    } else {
      if (v.InitialInstanceCount === undefined) {
        return `${field}.InitialInstanceCount is required for a variant without ServerlessConfig.`;
      }
      if (v.InstanceType === undefined) {
        return `${field}.InstanceType is required for a variant without ServerlessConfig.`;
      }
    }
  }
  const serverlessCount = variants.filter((v) => v.ServerlessConfig).length;
  if (serverlessCount > 0 && serverlessCount < variants.length) {
    return 'ProductionVariants: serverless variants (ServerlessConfig) cannot be mixed with instance-based variants in one endpoint configuration.';
  }
  return undefined;
}

/** SageMaker's shadow testing: one shadow variant, beside exactly one production variant. */
export function shadowsProblem(
  production: readonly ProductionVariant[],
  shadows: readonly ProductionVariant[],
): string | undefined {
  if (shadows.length === 0) return undefined;
  if (shadows.length > 1) return 'ShadowProductionVariants: an endpoint takes at most one shadow variant.';
  if (production.length !== 1) {
    return 'ShadowProductionVariants: an endpoint with a shadow variant has exactly one production variant.';
  }
  const [shadow] = shadows;
  if (shadow!.VariantName === production[0]!.VariantName) {
    return `ShadowProductionVariants.0.VariantName: '${shadow!.VariantName}' is already the production variant's name.`;
  }
  if (shadow!.ServerlessConfig || production[0]!.ServerlessConfig) {
    return 'ShadowProductionVariants: shadow testing needs instance-based variants, not ServerlessConfig.';
  }
  return undefined;
}
