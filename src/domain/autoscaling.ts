/**
 * Application Auto Scaling for SageMaker endpoint variants: scalable targets, target-tracking
 * policies, and the arithmetic of a scaling decision. Pure.
 */
export const variantDimension = 'sagemaker:variant:DesiredInstanceCount';
export const invocationsPerInstanceMetric = 'SageMakerVariantInvocationsPerInstance';

export interface ScalableTarget {
  readonly ServiceNamespace: 'sagemaker';
  readonly ResourceId: string;
  readonly ScalableDimension: string;
  readonly MinCapacity: number;
  readonly MaxCapacity: number;
  readonly RoleARN?: string;
  readonly SuspendedState?: {
    readonly DynamicScalingInSuspended?: boolean;
    readonly DynamicScalingOutSuspended?: boolean;
    readonly ScheduledScalingSuspended?: boolean;
  };
  readonly ScalableTargetARN: string;
  readonly CreationTime: number;
}

export interface TargetTrackingConfiguration {
  readonly TargetValue: number;
  readonly PredefinedMetricSpecification?: {
    readonly PredefinedMetricType: string;
    readonly ResourceLabel?: string;
  };
  readonly CustomizedMetricSpecification?: unknown;
  readonly ScaleOutCooldown?: number;
  readonly ScaleInCooldown?: number;
  readonly DisableScaleIn?: boolean;
}

export interface ScalingPolicy {
  readonly PolicyARN: string;
  readonly PolicyName: string;
  readonly ServiceNamespace: 'sagemaker';
  readonly ResourceId: string;
  readonly ScalableDimension: string;
  readonly PolicyType: 'TargetTrackingScaling';
  readonly TargetTrackingScalingPolicyConfiguration: TargetTrackingConfiguration;
  readonly CreationTime: number;
  /** When this policy last scaled out / in (epoch ms), for the cool-downs. */
  readonly lastScaleOut?: number;
  readonly lastScaleIn?: number;
}

export interface ScalingActivity {
  readonly ActivityId: string;
  readonly ServiceNamespace: 'sagemaker';
  readonly ResourceId: string;
  readonly ScalableDimension: string;
  readonly Description: string;
  readonly Cause: string;
  readonly StartTime: number;
  readonly EndTime?: number;
  readonly StatusCode: 'Pending' | 'InProgress' | 'Successful' | 'Overridden' | 'Unfulfilled' | 'Failed';
  readonly StatusMessage?: string;
}

/** `endpoint/<endpoint>/variant/<variant>` → its parts, or undefined. */
export function parseVariantResourceId(
  resourceId: string,
): { endpoint: string; variant: string } | undefined {
  const m = /^endpoint\/([^/]+)\/variant\/([^/]+)$/.exec(resourceId);
  return m ? { endpoint: m[1]!, variant: m[2]! } : undefined;
}

/** The key of a scalable target (and the prefix of its policies' keys) in the resource store. */
export const targetKey = (resourceId: string, dimension: string) => `${resourceId}|${dimension}`;

export interface ScalingDecision {
  readonly desired: number;
  readonly direction: 'out' | 'in' | 'none';
  readonly reason: string;
}

/**
 * Target tracking as Application Auto Scaling does it: capacity proportional to how far the
 * metric is from its target, `ceil(current × metric / target)`, clamped to [min, max], with
 * the cool-down of each direction and DisableScaleIn honoured.
 */
export function decideScaling(input: {
  current: number;
  metric: number;
  target: TargetTrackingConfiguration;
  min: number;
  max: number;
  now: number;
  lastScaleOut?: number;
  lastScaleIn?: number;
}): ScalingDecision {
  const { current, metric, target, min, max, now } = input;
  const raw =
    target.TargetValue > 0 ? Math.ceil((Math.max(current, 1) * metric) / target.TargetValue) : current;
  const desired = Math.min(max, Math.max(min, raw));
  const metricText = `${metric.toFixed(2)} ${invocationsPerInstanceMetric} against a target of ${target.TargetValue}`;
  if (desired > current) {
    const cooldownMs = (target.ScaleOutCooldown ?? 0) * 1000;
    if (input.lastScaleOut !== undefined && now - input.lastScaleOut < cooldownMs) {
      return { desired: current, direction: 'none', reason: `scale-out cool-down; ${metricText}` };
    }
    return { desired, direction: 'out', reason: metricText };
  }
  if (desired < current) {
    if (target.DisableScaleIn) return { desired: current, direction: 'none', reason: 'scale-in disabled' };
    const cooldownMs = (target.ScaleInCooldown ?? 0) * 1000;
    const last = Math.max(
      input.lastScaleIn ?? Number.NEGATIVE_INFINITY,
      input.lastScaleOut ?? Number.NEGATIVE_INFINITY,
    );
    if (now - last < cooldownMs)
      return { desired: current, direction: 'none', reason: `scale-in cool-down; ${metricText}` };
    return { desired, direction: 'in', reason: metricText };
  }
  return { desired: current, direction: 'none', reason: metricText };
}
