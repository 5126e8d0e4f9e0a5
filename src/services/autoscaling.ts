import type { ArnScope } from '../domain/arn.js';
import {
  decideScaling,
  invocationsPerInstanceMetric,
  parseVariantResourceId,
  type ScalableTarget,
  type ScalingActivity,
  type ScalingPolicy,
  type TargetTrackingConfiguration,
  targetKey,
  variantDimension,
} from '../domain/autoscaling.js';
import { AwsError, validationError } from '../errors/aws-error.js';
import type { Logger } from '../ports/logger.js';
import type { ResourceKind, ResourceStore } from '../ports/metadata-store.js';

export interface AutoscalingDeps {
  readonly resources: ResourceStore;
  readonly scope: ArnScope;
  readonly logger: Logger;
  readonly now: () => number;
  /** Whether the endpoint exists and has the variant (and it is not serverless). */
  readonly variantExists: (endpoint: string, variant: string) => Promise<boolean>;
  /** The running instance count of a variant, undefined when it is not running. */
  readonly currentCapacity: (endpoint: string, variant: string) => number | undefined;
  /** SageMakerVariantInvocationsPerInstance over the last `windowSeconds`. */
  readonly invocationsPerInstance: (
    endpoint: string,
    variant: string,
    windowSeconds: number,
  ) => number | undefined;
  /** UpdateEndpointWeightsAndCapacities of one variant's instance count. */
  readonly setCapacity: (endpoint: string, variant: string, count: number) => Promise<void>;
  readonly intervalMs: number;
  readonly windowSeconds: number;
}

export interface TargetKeyInput {
  readonly ServiceNamespace: string;
  readonly ResourceId: string;
  readonly ScalableDimension: string;
}

function checkKey(input: TargetKeyInput): { endpoint: string; variant: string } {
  if (input.ServiceNamespace !== 'sagemaker') {
    throw validationError(
      `ServiceNamespace '${input.ServiceNamespace}' is not served by Lathe; use 'sagemaker'.`,
    );
  }
  if (input.ScalableDimension !== variantDimension) {
    throw validationError(
      `ScalableDimension must be ${variantDimension} (got '${input.ScalableDimension}').`,
    );
  }
  const parsed = parseVariantResourceId(input.ResourceId);
  if (!parsed)
    throw validationError(
      `ResourceId '${input.ResourceId}' must look like endpoint/<endpoint>/variant/<variant>.`,
    );
  return parsed;
}

const notRegistered = (input: TargetKeyInput) =>
  new AwsError(
    'ObjectNotFoundException',
    `No scalable target registered for service namespace: ${input.ServiceNamespace}, resource ID: ${input.ResourceId}, scalable dimension: ${input.ScalableDimension}`,
  );

/**
 * Application Auto Scaling for endpoint variants: RegisterScalableTarget, PutScalingPolicy and
 * their Describe/Delete, and the loop that applies target-tracking policies.
 */
export function createAutoscalingService(deps: AutoscalingDeps) {
  const { resources, now } = deps;
  const arn = (kind: string, id: string) =>
    `arn:aws:application-autoscaling:${deps.scope.region}:${deps.scope.accountId}:${kind}:${id}`;
  let timer: NodeJS.Timeout | undefined;
  let evaluating: Promise<void> = Promise.resolve();

  /** Stores a target or policy: replaces the record of an existing one, else creates it. */
  async function save<T>(
    kind: ResourceKind,
    name: string,
    arn: string,
    record: T,
    exists: boolean,
    at: number,
  ) {
    if (exists) await resources.update<T>(kind, name, (cur) => ({ ...cur, lastModifiedTime: at, record }));
    else await resources.create({ kind, name, arn, creationTime: at, lastModifiedTime: at, record });
  }

  /** Every record of the kind, oldest first, as the Describe* calls list them. */
  async function oldestFirst<T>(kind: ResourceKind): Promise<T[]> {
    const all = await resources.list<T>(kind, { sortBy: 'CreationTime', sortOrder: 'Ascending' });
    return all.map((r) => r.record);
  }

  async function record(
    activity: Omit<ScalingActivity, 'ActivityId' | 'ServiceNamespace' | 'ScalableDimension'>,
  ) {
    const id = crypto.randomUUID();
    const full: ScalingActivity = {
      ...activity,
      ActivityId: id,
      ServiceNamespace: 'sagemaker',
      ScalableDimension: variantDimension,
    };
    await resources.create({
      kind: 'scaling-activity',
      name: id,
      arn: id,
      creationTime: full.StartTime,
      lastModifiedTime: full.StartTime,
      status: activity.ResourceId,
      record: full,
    });
  }

  async function evaluate(): Promise<void> {
    const policies = await resources.list<ScalingPolicy>('scaling-policy', {});
    for (const { record: policy } of policies) {
      const key = targetKey(policy.ResourceId, policy.ScalableDimension);
      const target = (await resources.get<ScalableTarget>('scalable-target', key))?.record;
      const where = parseVariantResourceId(policy.ResourceId);
      if (!target || !where) continue;
      const current = deps.currentCapacity(where.endpoint, where.variant);
      const metric = deps.invocationsPerInstance(where.endpoint, where.variant, deps.windowSeconds);
      if (current === undefined || metric === undefined) continue;
      const at = now();
      const decision = decideScaling({
        current,
        metric,
        target: policy.TargetTrackingScalingPolicyConfiguration,
        min: target.MinCapacity,
        max: target.MaxCapacity,
        now: at,
        lastScaleOut: policy.lastScaleOut,
        lastScaleIn: policy.lastScaleIn,
      });
      const suspended = target.SuspendedState;
      if (decision.direction === 'none') continue;
      if (decision.direction === 'out' && suspended?.DynamicScalingOutSuspended) continue;
      if (decision.direction === 'in' && suspended?.DynamicScalingInSuspended) continue;
      const description = `Setting desired instance count to ${decision.desired}.`;
      const cause = `monitor alarm TargetTracking-${policy.ResourceId}-${decision.direction === 'out' ? 'AlarmHigh' : 'AlarmLow'} in state ALARM triggered policy ${policy.PolicyName}: ${decision.reason}`;
      const activity = {
        ResourceId: policy.ResourceId,
        Description: description,
        Cause: cause,
        StartTime: at,
      };
      try {
        await deps.setCapacity(where.endpoint, where.variant, decision.desired);
        await resources.update<ScalingPolicy>('scaling-policy', `${key}|${policy.PolicyName}`, (cur) => ({
          ...cur,
          record: {
            ...cur.record,
            ...(decision.direction === 'out' ? { lastScaleOut: at } : { lastScaleIn: at }),
          },
        }));
        await record({
          ...activity,
          EndTime: now(),
          StatusCode: 'Successful',
          StatusMessage: `Successfully set desired instance count to ${decision.desired}. Change successfully fulfilled by sagemaker.`,
        });
        deps.logger.info('autoscaling', { resource: policy.ResourceId, from: current, to: decision.desired });
      } catch (e) {
        await record({
          ...activity,
          EndTime: now(),
          StatusCode: 'Failed',
          StatusMessage: (e as Error).message,
        });
      }
    }
  }

  return {
    async registerScalableTarget(
      input: TargetKeyInput & {
        MinCapacity?: number;
        MaxCapacity?: number;
        RoleARN?: string;
        SuspendedState?: ScalableTarget['SuspendedState'];
      },
    ) {
      const where = checkKey(input);
      if (!(await deps.variantExists(where.endpoint, where.variant))) {
        throw validationError(`The endpoint variant ${input.ResourceId} does not exist (or is serverless).`);
      }
      const key = targetKey(input.ResourceId, input.ScalableDimension);
      const existing = await resources.get<ScalableTarget>('scalable-target', key);
      const min = input.MinCapacity ?? existing?.record.MinCapacity;
      const max = input.MaxCapacity ?? existing?.record.MaxCapacity;
      if (min === undefined || max === undefined)
        throw validationError('MinCapacity and MaxCapacity are required for a new scalable target.');
      if (min > max) throw validationError(`MinCapacity (${min}) must not exceed MaxCapacity (${max}).`);
      const at = now();
      const target: ScalableTarget = {
        ServiceNamespace: 'sagemaker',
        ResourceId: input.ResourceId,
        ScalableDimension: input.ScalableDimension,
        MinCapacity: min,
        MaxCapacity: max,
        RoleARN: input.RoleARN ?? existing?.record.RoleARN,
        SuspendedState: input.SuspendedState ?? existing?.record.SuspendedState,
        ScalableTargetARN:
          existing?.record.ScalableTargetARN ?? arn('scalable-target', crypto.randomUUID().replace(/-/g, '')),
        CreationTime: existing?.record.CreationTime ?? at,
      };
      await save('scalable-target', key, target.ScalableTargetARN, target, existing !== undefined, at);
      // Bring the variant inside the new bounds at once, as Application Auto Scaling does.
      const current = deps.currentCapacity(where.endpoint, where.variant);
      if (current !== undefined && (current < min || current > max)) {
        await deps.setCapacity(where.endpoint, where.variant, Math.min(max, Math.max(min, current)));
      }
      return { ScalableTargetARN: target.ScalableTargetARN };
    },

    async describeScalableTargets(input: {
      ServiceNamespace: string;
      ResourceIds?: readonly string[];
      ScalableDimension?: string;
    }) {
      if (input.ServiceNamespace !== 'sagemaker') return [];
      return (await oldestFirst<ScalableTarget>('scalable-target')).filter(
        (t) =>
          (!input.ResourceIds?.length || input.ResourceIds.includes(t.ResourceId)) &&
          (!input.ScalableDimension || t.ScalableDimension === input.ScalableDimension),
      );
    },

    async deregisterScalableTarget(input: TargetKeyInput) {
      checkKey(input);
      const key = targetKey(input.ResourceId, input.ScalableDimension);
      if (!(await resources.delete('scalable-target', key))) throw notRegistered(input);
      for (const p of await resources.list<ScalingPolicy>('scaling-policy', {})) {
        if (p.name.startsWith(`${key}|`)) await resources.delete('scaling-policy', p.name);
      }
    },

    async putScalingPolicy(
      input: TargetKeyInput & {
        PolicyName: string;
        PolicyType?: string;
        TargetTrackingScalingPolicyConfiguration?: TargetTrackingConfiguration;
      },
    ) {
      checkKey(input);
      const key = targetKey(input.ResourceId, input.ScalableDimension);
      if (!(await resources.get('scalable-target', key))) throw notRegistered(input);
      if ((input.PolicyType ?? 'StepScaling') !== 'TargetTrackingScaling') {
        throw validationError(
          `PolicyType ${input.PolicyType ?? '(StepScaling)'} is not supported yet; use TargetTrackingScaling.`,
        );
      }
      const config = input.TargetTrackingScalingPolicyConfiguration;
      if (!config)
        throw validationError(
          'TargetTrackingScalingPolicyConfiguration is required for TargetTrackingScaling.',
        );
      if (
        config.CustomizedMetricSpecification ||
        config.PredefinedMetricSpecification?.PredefinedMetricType !== invocationsPerInstanceMetric
      ) {
        throw validationError(
          `TargetTrackingScalingPolicyConfiguration: only the predefined metric ${invocationsPerInstanceMetric} is supported yet.`,
        );
      }
      const name = `${key}|${input.PolicyName}`;
      const at = now();
      const existing = await resources.get<ScalingPolicy>('scaling-policy', name);
      const policy: ScalingPolicy = {
        PolicyARN:
          existing?.record.PolicyARN ??
          arn(
            'scalingPolicy',
            `${crypto.randomUUID()}:resource/sagemaker/${input.ResourceId}:policyName/${input.PolicyName}`,
          ),
        PolicyName: input.PolicyName,
        ServiceNamespace: 'sagemaker',
        ResourceId: input.ResourceId,
        ScalableDimension: input.ScalableDimension,
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: config,
        CreationTime: existing?.record.CreationTime ?? at,
      };
      await save('scaling-policy', name, policy.PolicyARN, policy, existing !== undefined, at);
      return { PolicyARN: policy.PolicyARN, Alarms: [] };
    },

    async describeScalingPolicies(input: {
      ServiceNamespace: string;
      PolicyNames?: readonly string[];
      ResourceId?: string;
      ScalableDimension?: string;
    }) {
      if (input.ServiceNamespace !== 'sagemaker') return [];
      return (await oldestFirst<ScalingPolicy>('scaling-policy'))
        .filter(
          (p) =>
            (!input.PolicyNames?.length || input.PolicyNames.includes(p.PolicyName)) &&
            (!input.ResourceId || p.ResourceId === input.ResourceId) &&
            (!input.ScalableDimension || p.ScalableDimension === input.ScalableDimension),
        )
        .map(({ lastScaleIn: _in, lastScaleOut: _out, ...p }) => p);
    },

    async deleteScalingPolicy(input: TargetKeyInput & { PolicyName: string }) {
      checkKey(input);
      const name = `${targetKey(input.ResourceId, input.ScalableDimension)}|${input.PolicyName}`;
      if (!(await resources.delete('scaling-policy', name))) {
        throw new AwsError(
          'ObjectNotFoundException',
          `No scaling policy found for service namespace: sagemaker, resource ID: ${input.ResourceId}, scalable dimension: ${input.ScalableDimension}, policy name: ${input.PolicyName}`,
        );
      }
    },

    async describeScalingActivities(input: { ServiceNamespace: string; ResourceId?: string }) {
      if (input.ServiceNamespace !== 'sagemaker') return [];
      const all = await resources.list<ScalingActivity>('scaling-activity', {
        sortBy: 'CreationTime',
        sortOrder: 'Descending',
        limit: 500,
      });
      return all.map((r) => r.record).filter((a) => !input.ResourceId || a.ResourceId === input.ResourceId);
    },

    /** Evaluates every policy now (also what the timer does). */
    evaluateNow(): Promise<void> {
      evaluating = evaluating
        .then(evaluate)
        .catch((e: Error) => deps.logger.error('autoscaling evaluation failed', { error: e.message }));
      return evaluating;
    },

    start(): void {
      timer = setInterval(() => void this.evaluateNow(), deps.intervalMs);
      timer.unref();
    },

    async close(): Promise<void> {
      if (timer) clearInterval(timer);
      await evaluating;
    },
  };
}

export type AutoscalingService = ReturnType<typeof createAutoscalingService>;
