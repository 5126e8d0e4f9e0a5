import { describe, expect, it } from 'vitest';
import { decideScaling, parseVariantResourceId } from './autoscaling.js';

const target = { TargetValue: 100, ScaleOutCooldown: 60, ScaleInCooldown: 300 };

describe('decideScaling', () => {
  it('scales out proportionally to the metric, clamped to the maximum', () => {
    expect(decideScaling({ current: 1, metric: 250, target, min: 1, max: 4, now: 0 })).toMatchObject({
      desired: 3,
      direction: 'out',
    });
    expect(decideScaling({ current: 2, metric: 500, target, min: 1, max: 4, now: 0 })).toMatchObject({
      desired: 4,
      direction: 'out',
    });
  });
  it('scales in when the load falls, down to the minimum', () => {
    expect(decideScaling({ current: 4, metric: 10, target, min: 2, max: 8, now: 0 })).toMatchObject({
      desired: 2,
      direction: 'in',
    });
  });
  it('honours the cool-downs and DisableScaleIn', () => {
    expect(
      decideScaling({ current: 1, metric: 300, target, min: 1, max: 4, now: 30_000, lastScaleOut: 0 })
        .direction,
    ).toBe('none');
    expect(
      decideScaling({ current: 1, metric: 300, target, min: 1, max: 4, now: 61_000, lastScaleOut: 0 })
        .direction,
    ).toBe('out');
    expect(
      decideScaling({ current: 3, metric: 0, target, min: 1, max: 4, now: 100_000, lastScaleOut: 0 })
        .direction,
    ).toBe('none');
    expect(
      decideScaling({
        current: 3,
        metric: 0,
        target: { ...target, DisableScaleIn: true },
        min: 1,
        max: 4,
        now: 10_000_000,
      }).direction,
    ).toBe('none');
  });
  it('holds steady at the target', () => {
    expect(decideScaling({ current: 2, metric: 100, target, min: 1, max: 4, now: 0 }).direction).toBe('none');
  });
});

describe('parseVariantResourceId', () => {
  it('reads endpoint and variant', () => {
    expect(parseVariantResourceId('endpoint/my-ep/variant/AllTraffic')).toEqual({
      endpoint: 'my-ep',
      variant: 'AllTraffic',
    });
    expect(parseVariantResourceId('table/x')).toBeUndefined();
  });
});
