/**
 * The serving fleet port: what the endpoint service asks of the machinery that runs model
 * instances and routes requests. The embedded adapter runs instances as worker threads and
 * child processes in this server; the service owns statuses and persistence.
 */

/** One model as the fleet needs it (from CreateModel's PrimaryContainer). */
export interface ModelSpec {
  readonly modelName: string;
  readonly image: string;
  /** `s3://…/model.tar.gz`, or an S3 prefix with `compression: 'None'`; absent: empty model dir. */
  readonly modelDataUrl?: string;
  readonly compression?: 'Gzip' | 'None';
  readonly environment: Readonly<Record<string, string>>;
  /**
   * A multi-model endpoint's container (Mode MultiModel): `modelDataUrl` is an S3 prefix, and each
   * request names the `model.tar.gz` under it to run (`targetModel`), loaded on first use.
   */
  readonly multiModel?: boolean;
}

export interface ServerlessSpec {
  readonly memorySizeInMB: number;
  readonly maxConcurrency: number;
  readonly provisionedConcurrency?: number;
}

export interface VariantSpec {
  readonly variantName: string;
  readonly model: ModelSpec;
  readonly initialWeight: number;
  readonly initialInstanceCount: number;
  readonly serverless?: ServerlessSpec;
  /** RoutingConfig.RoutingStrategy RANDOM: instances taken at random, not least busy first. */
  readonly randomRouting?: boolean;
  /**
   * An inference pipeline: its containers' models in order (`model` is the first). Serial: each
   * container's response is the next one's request; Direct: a request names one container by
   * hostname (`targetContainerHostname`).
   */
  readonly pipeline?: {
    readonly mode: 'Serial' | 'Direct';
    readonly models: readonly (ModelSpec & { readonly hostname?: string })[];
  };
}

export interface DeploymentPlan {
  readonly endpointName: string;
  readonly endpointConfigName: string;
  readonly variants: readonly VariantSpec[];
  /** A shadow variant and the share (0–1] of requests copied to it; its answers are dropped. */
  readonly shadow?: { readonly variant: VariantSpec; readonly share: number };
}

export interface VariantState {
  readonly variantName: string;
  /** The endpoint's shadow variant (DescribeEndpoint's ShadowProductionVariants). */
  readonly shadow?: boolean;
  readonly currentWeight: number;
  readonly desiredWeight: number;
  readonly currentInstanceCount: number;
  readonly desiredInstanceCount: number;
}

/** How an update moves traffic to the new fleet (SageMaker's canary and linear blue/green). */
export interface TrafficShift {
  /**
   * Cumulative shares of requests on the new fleet, in (0, 1], increasing, the last 1; each is
   * held for `waitMs` before the next.
   */
  readonly steps: readonly { readonly share: number; readonly waitMs: number }[];
  /** How long the old fleet stays up, without traffic, after all traffic has moved. */
  readonly terminationWaitMs: number;
}

export interface EndpointFleet {
  /**
   * Starts every variant's instances and begins routing once all pass their health check.
   * Rejects with an Error whose message is a FailureReason when the fleet cannot start.
   */
  deploy(plan: DeploymentPlan): Promise<void>;
  /**
   * Blue/green: starts the new plan's fleet beside the old one, moves traffic once it is
   * healthy (all at once, or in the steps of `shift`), then drains and stops the old fleet. On
   * failure the old fleet keeps serving. Resolves when the old fleet is gone.
   */
  update(plan: DeploymentPlan, shift?: TrafficShift): Promise<void>;
  /** UpdateEndpointWeightsAndCapacities and the autoscaler: change weights and instance counts in place. */
  adjust(
    endpointName: string,
    changes: readonly { variantName: string; weight?: number; instanceCount?: number }[],
  ): Promise<void>;
  /** Stops routing and stops every instance. */
  remove(endpointName: string): Promise<void>;
  /**
   * Cuts short an update that is shifting traffic or baking (the endpoint is being deleted): its
   * `update` settles at once, and the new deployment goes if it never took all traffic.
   */
  cancelUpdate(endpointName: string): void;
  state(endpointName: string): readonly VariantState[] | undefined;
}

/** One InvokeEndpoint request, as the runtime API hands it to the router. */
export interface InvocationRequest {
  readonly body: Buffer;
  readonly contentType?: string;
  readonly accept?: string;
  readonly customAttributes?: string;
  readonly targetVariant?: string;
  readonly inferenceId?: string;
  /** Direct-mode inference pipelines: the container (ContainerHostname) to run. */
  readonly targetContainerHostname?: string;
  /** Multi-model endpoints: the artifact to run, relative to the model's S3 prefix. */
  readonly targetModel?: string;
  /**
   * InvokeEndpointWithResponseStream: the answer may come as `chunks`, as the model produces
   * it (model servers that stream); otherwise it is whole in `body`.
   */
  readonly stream?: boolean;
  /**
   * How long the model may take: async inference's InvocationTimeoutSeconds, batch transform's
   * ModelClientConfig.InvocationsTimeoutInSeconds. Absent: the real-time limit (60 s).
   */
  readonly timeoutMs?: number;
}

export interface InvocationResult {
  /** The model's own status; anything but 2xx becomes a ModelError for the client. */
  readonly status: number;
  readonly body: Buffer;
  readonly contentType: string;
  readonly customAttributes?: string;
  /** A streamed answer (`stream` requests only): its parts in order; `body` is then empty. */
  readonly chunks?: AsyncIterable<Buffer>;
  readonly variantName: string;
  /** Time inside the model instance, microseconds (ModelLatency). */
  readonly modelLatencyUs: number;
}

export interface InferenceRouter {
  /**
   * Routes a request to a variant (by weight, or TargetVariant) and to its least busy
   * instance. Throws AwsError ValidationError for unknown endpoints or variants and
   * ThrottlingException when every instance is at capacity.
   */
  invoke(endpointName: string, request: InvocationRequest): Promise<InvocationResult>;
}
