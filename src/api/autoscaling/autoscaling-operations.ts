import { z } from 'zod';
import type { AutoscalingService } from '../../services/autoscaling.js';
import { type OperationTable, operation } from '../operation.js';

/**
 * Application Auto Scaling (AWS JSON 1.1, `X-Amz-Target: AnyScaleFrontendService.<Op>`), the
 * operations the SageMaker SDKs and the AWS CLI use to autoscale endpoint variants.
 */
const key = {
  ServiceNamespace: z.string().min(1),
  ResourceId: z.string().min(1).max(1600),
  ScalableDimension: z.string().min(1),
};
const seconds = (ms: number) => ms / 1000;

const targetTracking = z.looseObject({
  TargetValue: z.number().positive(),
  PredefinedMetricSpecification: z
    .looseObject({ PredefinedMetricType: z.string().min(1), ResourceLabel: z.string().optional() })
    .optional(),
  CustomizedMetricSpecification: z.unknown().optional(),
  ScaleOutCooldown: z.number().int().min(0).optional(),
  ScaleInCooldown: z.number().int().min(0).optional(),
  DisableScaleIn: z.boolean().optional(),
});

export function autoscalingOperations(service: AutoscalingService): OperationTable {
  return {
    RegisterScalableTarget: operation(
      z.looseObject({
        ...key,
        MinCapacity: z.number().int().min(0).optional(),
        MaxCapacity: z.number().int().min(0).optional(),
        RoleARN: z.string().optional(),
        SuspendedState: z
          .object({
            DynamicScalingInSuspended: z.boolean().optional(),
            DynamicScalingOutSuspended: z.boolean().optional(),
            ScheduledScalingSuspended: z.boolean().optional(),
          })
          .optional(),
      }),
      (input) => service.registerScalableTarget(input),
    ),
    DescribeScalableTargets: operation(
      z.looseObject({
        ServiceNamespace: z.string().min(1),
        ResourceIds: z.array(z.string()).optional(),
        ScalableDimension: z.string().optional(),
        MaxResults: z.number().int().min(1).max(50).optional(),
        NextToken: z.string().optional(),
      }),
      async (input) => ({
        ScalableTargets: (await service.describeScalableTargets(input)).map((t) => ({
          ...t,
          CreationTime: seconds(t.CreationTime),
        })),
      }),
    ),
    DeregisterScalableTarget: operation(z.looseObject(key), async (input) => {
      await service.deregisterScalableTarget(input);
      return {};
    }),
    PutScalingPolicy: operation(
      z.looseObject({
        ...key,
        PolicyName: z.string().min(1).max(256),
        PolicyType: z.string().optional(),
        TargetTrackingScalingPolicyConfiguration: targetTracking.optional(),
        StepScalingPolicyConfiguration: z.unknown().optional(),
      }),
      (input) => service.putScalingPolicy(input),
    ),
    DescribeScalingPolicies: operation(
      z.looseObject({
        ServiceNamespace: z.string().min(1),
        PolicyNames: z.array(z.string()).optional(),
        ResourceId: z.string().optional(),
        ScalableDimension: z.string().optional(),
        MaxResults: z.number().int().min(1).max(50).optional(),
        NextToken: z.string().optional(),
      }),
      async (input) => ({
        ScalingPolicies: (await service.describeScalingPolicies(input)).map((p) => ({
          ...p,
          CreationTime: seconds(p.CreationTime),
          Alarms: [],
        })),
      }),
    ),
    DeleteScalingPolicy: operation(
      z.looseObject({ ...key, PolicyName: z.string().min(1) }),
      async (input) => {
        await service.deleteScalingPolicy(input);
        return {};
      },
    ),
    DescribeScalingActivities: operation(
      z.looseObject({
        ServiceNamespace: z.string().min(1),
        ResourceId: z.string().optional(),
        ScalableDimension: z.string().optional(),
        MaxResults: z.number().int().min(1).max(50).optional(),
        NextToken: z.string().optional(),
      }),
      async (input) => ({
        ScalingActivities: (await service.describeScalingActivities(input)).map((a) => ({
          ...a,
          StartTime: seconds(a.StartTime),
          EndTime: a.EndTime === undefined ? undefined : seconds(a.EndTime),
        })),
      }),
    ),
  };
}
