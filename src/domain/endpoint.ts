import type { AsyncInferenceConfig, DataCaptureConfig, ServerlessConfig } from './endpoint-config.js';

/**
 * Endpoints as Lathe stores them, and their status machine. Times are epoch milliseconds.
 *
 * ```
 * Creating ──ok──▶ InService ──UpdateEndpoint / …WeightsAndCapacities──▶ Updating ──ok or failed──▶ InService
 *    └──failed──▶ Failed                                      (a failed update keeps the old fleet, with FailureReason)
 * any ──DeleteEndpoint──▶ Deleting ──fleet removed──▶ (gone)
 * ```
 */
export const endpointStatuses = [
  'OutOfService',
  'Creating',
  'Updating',
  'SystemUpdating',
  'RollingBack',
  'InService',
  'Deleting',
  'Failed',
  'UpdateRollbackFailed',
] as const;
export type EndpointStatus = (typeof endpointStatuses)[number];

/** One container of an inference pipeline, as deployed. */
export interface DeployedContainer {
  readonly hostname?: string;
  readonly image: string;
  readonly modelDataUrl?: string;
  readonly compression?: 'Gzip' | 'None';
  readonly environment: Readonly<Record<string, string>>;
}

/** A variant as deployed: the configuration's variant with its model resolved, after any adjustment. */
export interface DeployedVariant {
  readonly variantName: string;
  readonly modelName: string;
  readonly image: string;
  /** A multi-model endpoint: `modelDataUrl` is the prefix its requests' TargetModel is under. */
  readonly multiModel?: boolean;
  /** RoutingConfig.RoutingStrategy RANDOM (the default spreads to the least busy instance). */
  readonly randomRouting?: boolean;
  readonly modelDataUrl?: string;
  readonly compression?: 'Gzip' | 'None';
  readonly environment: Readonly<Record<string, string>>;
  readonly instanceType?: string;
  readonly weight: number;
  /** Instances to run; for a serverless variant, the fleet's starting capacity (never reported). */
  readonly instanceCount: number;
  readonly serverless?: ServerlessConfig;
  /**
   * An inference pipeline (a model with several Containers): all of them in order; the fields
   * above then describe the first.
   */
  readonly pipeline?: {
    readonly mode: 'Serial' | 'Direct';
    readonly containers: readonly DeployedContainer[];
  };
}

/**
 * What an endpoint runs, copied from its configuration and models when deployed, so that deleting
 * the configuration or a model leaves the endpoint running (and restartable), as in SageMaker.
 */
export interface Deployment {
  readonly endpointConfigName: string;
  readonly variants: readonly DeployedVariant[];
  /**
   * A shadow variant: gets a copy of a share of the requests (its weight over the production
   * variant's, at most all), and its answers are dropped.
   */
  readonly shadow?: DeployedVariant;
  readonly dataCapture?: DataCaptureConfig;
  readonly asyncInference?: AsyncInferenceConfig;
  /** When the images were resolved: DeployedImages[].ResolutionTime. */
  readonly resolvedAt: number;
}

export interface WeightAndCapacity {
  readonly variantName: string;
  readonly weight?: number;
  readonly instanceCount?: number;
}

/** The fleet operation in flight, whose outcome decides the next status. */
export type EndpointOperation =
  | { readonly id: string; readonly kind: 'deploy' }
  /** Deploying again what already served (after a restart): a success keeps the FailureReason. */
  | { readonly id: string; readonly kind: 'redeploy' }
  | { readonly id: string; readonly kind: 'update'; readonly target: Deployment }
  | { readonly id: string; readonly kind: 'adjust'; readonly changes: readonly WeightAndCapacity[] }
  | { readonly id: string; readonly kind: 'remove' };

/** The JSON part of a stored endpoint (name, ARN, status and times are the store's columns). */
export interface EndpointState {
  readonly deployment: Deployment;
  readonly failureReason?: string;
  readonly operation?: EndpointOperation;
  /** When the operation started (PendingDeploymentSummary.StartTime for updates). */
  readonly operationStartTime?: number;
  /** CreateEndpoint's DeploymentConfig, kept verbatim (LastDeploymentConfig). */
  readonly deploymentConfig?: unknown;
}

export interface EndpointRecord extends EndpointState {
  readonly name: string;
  readonly arn: string;
  readonly status: EndpointStatus;
  readonly creationTime: number;
  readonly lastModifiedTime: number;
}

/** FailureReason is at most 1024 characters. */
export function failureReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message || 'The endpoint fleet failed without a reason.').slice(0, 1024);
}

/** Applies weight and capacity changes to a deployment's variants. */
export function adjustDeployment(deployment: Deployment, changes: readonly WeightAndCapacity[]): Deployment {
  const byName = new Map(changes.map((c) => [c.variantName, c]));
  return {
    ...deployment,
    variants: deployment.variants.map((v) => {
      const c = byName.get(v.variantName);
      if (!c) return v;
      return { ...v, weight: c.weight ?? v.weight, instanceCount: c.instanceCount ?? v.instanceCount };
    }),
  };
}

/** Why UpdateEndpoint / UpdateEndpointWeightsAndCapacities cannot start now, or undefined. */
export function updateProblem(status: EndpointStatus, arn: string): string | undefined {
  if (status === 'InService') return undefined;
  if (status === 'Failed') return `Cannot update failed endpoint "${arn}"; delete it and create it again.`;
  return `Cannot update in-progress endpoint "${arn}".`;
}

export type Outcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * The state after the fleet operation `operationId` settled, or undefined when that operation is
 * no longer the endpoint's (it was superseded, e.g. by DeleteEndpoint): then nothing changes.
 */
export function settle(
  current: Pick<EndpointRecord, 'status'> & EndpointState,
  operationId: string,
  outcome: Outcome,
): { status: EndpointStatus; state: EndpointState } | undefined {
  const op = current.operation;
  if (!op || op.id !== operationId || op.kind === 'remove') return undefined;
  // Built member by member: the operation ends, and a success clears the previous FailureReason.
  const base: EndpointState = {
    deployment: current.deployment,
    ...(current.deploymentConfig === undefined ? {} : { deploymentConfig: current.deploymentConfig }),
  };
  const failed = (reason: string): EndpointState => ({ ...base, failureReason: reason });
  switch (op.kind) {
    case 'deploy':
      // A first deployment (or a redeployment after a restart) that fails leaves nothing serving.
      return outcome.ok
        ? { status: 'InService', state: base }
        : { status: 'Failed', state: failed(outcome.reason) };
    case 'redeploy':
      return outcome.ok
        ? {
            status: 'InService',
            state:
              current.failureReason === undefined ? base : { ...base, failureReason: current.failureReason },
          }
        : { status: 'Failed', state: failed(outcome.reason) };
    case 'update':
      // Blue/green: on failure the old fleet keeps serving the old configuration.
      return outcome.ok
        ? { status: 'InService', state: { ...base, deployment: op.target } }
        : { status: 'InService', state: failed(outcome.reason) };
    case 'adjust':
      return outcome.ok
        ? {
            status: 'InService',
            state: { ...base, deployment: adjustDeployment(current.deployment, op.changes) },
          }
        : { status: 'InService', state: failed(outcome.reason) };
    default: {
      const never: never = op;
      return never;
    }
  }
}
