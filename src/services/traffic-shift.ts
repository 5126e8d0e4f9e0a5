import type { Deployment } from '../domain/endpoint.js';
import { validationError } from '../errors/aws-error.js';
import type { TrafficShift } from '../ports/endpoint-fleet.js';

/** CapacitySize: a number of instances of the new fleet, or a percentage of its capacity. */
interface CapacitySize {
  readonly Type: 'INSTANCE_COUNT' | 'CAPACITY_PERCENT';
  readonly Value: number;
}

/** The parts of SageMaker's DeploymentConfig that decide how an update moves traffic. */
export interface DeploymentConfig {
  readonly BlueGreenUpdatePolicy?: {
    readonly TrafficRoutingConfiguration: {
      readonly Type: 'ALL_AT_ONCE' | 'CANARY' | 'LINEAR';
      readonly WaitIntervalInSeconds: number;
      readonly CanarySize?: CapacitySize;
      readonly LinearStepSize?: CapacitySize;
    };
    readonly TerminationWaitInSeconds?: number;
  };
  readonly RollingUpdatePolicy?: {
    readonly MaximumBatchSize: CapacitySize;
    readonly WaitIntervalInSeconds: number;
  };
  readonly AutoRollbackConfiguration?: { readonly Alarms?: readonly { readonly AlarmName: string }[] };
}

const ROUTING = 'DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration';

/**
 * Checks a DeploymentConfig against the deployment it will move traffic to and returns the
 * traffic steps, or undefined for SageMaker's default (all at once, no baking). Throws
 * ValidationException naming the field, as SageMaker does.
 */
export function trafficShiftOf(config: unknown, target: Deployment): TrafficShift | undefined {
  if (config === undefined) return undefined;
  const c = config as DeploymentConfig;
  if (c.AutoRollbackConfiguration?.Alarms?.length) {
    throw validationError(
      'DeploymentConfig.AutoRollbackConfiguration.Alarms cannot be honoured: Lathe has no CloudWatch alarms yet. Remove the alarms to deploy without automatic rollback.',
    );
  }
  if (c.BlueGreenUpdatePolicy && c.RollingUpdatePolicy) {
    throw validationError(
      'DeploymentConfig takes either BlueGreenUpdatePolicy or RollingUpdatePolicy, not both.',
    );
  }
  const instances = target.variants.reduce((n, v) => n + (v.serverless ? 0 : v.instanceCount), 0);
  if (c.RollingUpdatePolicy) {
    const p = c.RollingUpdatePolicy;
    const batch = shareOf(
      p.MaximumBatchSize,
      instances,
      'DeploymentConfig.RollingUpdatePolicy.MaximumBatchSize',
    );
    return { steps: stepsOf(batch, p.WaitIntervalInSeconds), terminationWaitMs: 0 };
  }
  const policy = c.BlueGreenUpdatePolicy;
  if (!policy) return undefined;
  const routing = policy.TrafficRoutingConfiguration;
  const waitMs = routing.WaitIntervalInSeconds * 1000;
  const terminationWaitMs = (policy.TerminationWaitInSeconds ?? 0) * 1000;
  if (routing.Type === 'ALL_AT_ONCE') return { steps: [{ share: 1, waitMs }], terminationWaitMs };
  if (routing.Type === 'CANARY') {
    const field = `${ROUTING}.CanarySize`;
    if (!routing.CanarySize) throw validationError(`${field} is required when Type is CANARY.`);
    const canary = shareOf(routing.CanarySize, instances, field);
    if (canary > 0.5) {
      throw validationError(`${field} must be at most 50% of the variant's total instance count.`);
    }
    return {
      steps: [
        { share: canary, waitMs },
        { share: 1, waitMs },
      ],
      terminationWaitMs,
    };
  }
  const field = `${ROUTING}.LinearStepSize`;
  if (!routing.LinearStepSize) throw validationError(`${field} is required when Type is LINEAR.`);
  const step = shareOf(routing.LinearStepSize, instances, field);
  if (step < 0.1 || step > 0.5) {
    throw validationError(`${field} must be 10-50% of the variant's total instance count.`);
  }
  return { steps: stepsOf(step, routing.WaitIntervalInSeconds), terminationWaitMs };
}

function shareOf(size: CapacitySize, instances: number, field: string): number {
  if (size.Type === 'CAPACITY_PERCENT') {
    if (size.Value > 100) throw validationError(`${field}.Value must be at most 100 for CAPACITY_PERCENT.`);
    return size.Value / 100;
  }
  if (instances === 0) {
    throw validationError(
      `${field} cannot be INSTANCE_COUNT for an endpoint without instances (serverless).`,
    );
  }
  if (size.Value > instances) {
    throw validationError(`${field}.Value (${size.Value}) exceeds the endpoint's ${instances} instances.`);
  }
  return size.Value / instances;
}

/** Equal steps of `step` up to all traffic, each held for the wait interval. */
function stepsOf(step: number, waitSeconds: number): TrafficShift['steps'] {
  const steps: { share: number; waitMs: number }[] = [];
  for (let i = 1; i * step < 1 - 1e-9; i++) steps.push({ share: i * step, waitMs: waitSeconds * 1000 });
  steps.push({ share: 1, waitMs: waitSeconds * 1000 });
  return steps;
}
