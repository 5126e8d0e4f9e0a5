import { describe, expect, it } from 'vitest';
import type { Deployment } from '../domain/endpoint.js';
import { trafficShiftOf } from './traffic-shift.js';

const deployment = (...counts: number[]): Deployment => ({
  endpointConfigName: 'c',
  resolvedAt: 0,
  variants: counts.map((instanceCount, i) => ({
    variantName: `v${i}`,
    modelName: 'm',
    image: 'img',
    environment: {},
    weight: 1,
    instanceCount,
  })),
});
const blueGreen = (routing: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: routing, ...extra },
});

describe('trafficShiftOf', () => {
  it('is all at once without a DeploymentConfig', () => {
    expect(trafficShiftOf(undefined, deployment(2))).toBeUndefined();
  });

  it('ALL_AT_ONCE moves everything, then bakes for the wait and the termination wait', () => {
    const shift = trafficShiftOf(
      blueGreen({ Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 5 }, { TerminationWaitInSeconds: 7 }),
      deployment(2),
    );
    expect(shift).toEqual({ steps: [{ share: 1, waitMs: 5000 }], terminationWaitMs: 7000 });
  });

  it('CANARY takes its share of the instances of every variant, then the rest', () => {
    const shift = trafficShiftOf(
      blueGreen({
        Type: 'CANARY',
        WaitIntervalInSeconds: 1,
        CanarySize: { Type: 'INSTANCE_COUNT', Value: 1 },
      }),
      deployment(3, 1),
    );
    expect(shift?.steps).toEqual([
      { share: 0.25, waitMs: 1000 },
      { share: 1, waitMs: 1000 },
    ]);
  });

  it('LINEAR and rolling updates move in equal steps up to all traffic', () => {
    const linear = trafficShiftOf(
      blueGreen({
        Type: 'LINEAR',
        WaitIntervalInSeconds: 0,
        LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 30 },
      }),
      deployment(4),
    );
    expect(linear?.steps.map((s) => s.share)).toEqual([0.3, 0.6, 0.8999999999999999, 1]);
    const rolling = trafficShiftOf(
      {
        RollingUpdatePolicy: {
          MaximumBatchSize: { Type: 'INSTANCE_COUNT', Value: 2 },
          WaitIntervalInSeconds: 3,
        },
      },
      deployment(4),
    );
    expect(rolling?.steps).toEqual([
      { share: 0.5, waitMs: 3000 },
      { share: 1, waitMs: 3000 },
    ]);
  });

  it('refuses sizes SageMaker refuses, naming the field', () => {
    const canary = (Type: string, Value: number) =>
      blueGreen({ Type: 'CANARY', WaitIntervalInSeconds: 1, CanarySize: { Type, Value } });
    expect(() => trafficShiftOf(canary('CAPACITY_PERCENT', 51), deployment(2))).toThrow(
      /CanarySize must be at most 50%/,
    );
    expect(() => trafficShiftOf(canary('INSTANCE_COUNT', 3), deployment(2))).toThrow(
      /exceeds the endpoint's 2/,
    );
    expect(() =>
      trafficShiftOf(blueGreen({ Type: 'CANARY', WaitIntervalInSeconds: 1 }), deployment(2)),
    ).toThrow(/CanarySize is required/);
    expect(() =>
      trafficShiftOf(
        blueGreen({
          Type: 'LINEAR',
          WaitIntervalInSeconds: 1,
          LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 5 },
        }),
        deployment(2),
      ),
    ).toThrow(/LinearStepSize must be 10-50%/);
    expect(() =>
      trafficShiftOf(
        {
          ...blueGreen({ Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 }),
          RollingUpdatePolicy: {
            MaximumBatchSize: { Type: 'INSTANCE_COUNT', Value: 1 },
            WaitIntervalInSeconds: 0,
          },
        },
        deployment(2),
      ),
    ).toThrow(/either BlueGreenUpdatePolicy or RollingUpdatePolicy/);
  });
});
