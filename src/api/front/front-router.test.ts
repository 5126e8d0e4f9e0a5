import { describe, expect, it } from 'vitest';
import type { InvocationRequest } from '../../ports/endpoint-fleet.js';
import { FrontRouter, PASS_ON } from './front-router.js';

const request = (extra: Partial<InvocationRequest> = {}): InvocationRequest => ({
  body: Buffer.from('1,2,3'),
  contentType: 'text/csv',
  ...extra,
});
const echo = { kind: 'echo' } as const;

describe('FrontRouter', () => {
  it('answers with the variant chosen by weight, as the fleet names it', async () => {
    const router = new FrontRouter();
    router.set('e', {
      variants: [
        { name: 'A', weight: 0, lane: echo },
        { name: 'B', weight: 2, lane: echo },
      ],
    });
    for (let i = 0; i < 20; i++) {
      const result = await router.invoke('e', request());
      expect(result).toMatchObject({ status: 200, variantName: 'B', contentType: 'text/csv' });
      expect(result.body.toString()).toBe('1,2,3');
    }
    // TargetVariant pins, even to a variant with weight 0.
    expect((await router.invoke('e', request({ targetVariant: 'A' }))).variantName).toBe('A');
  });

  it('passes on what it cannot answer as the fleet would', async () => {
    const router = new FrontRouter();
    router.set('e', { variants: [{ name: 'A', weight: 1, lane: echo }] });
    await expect(router.invoke('other', request())).rejects.toBe(PASS_ON);
    await expect(router.invoke('e', request({ targetVariant: 'Nope' }))).rejects.toBe(PASS_ON);
    await expect(router.invoke('e', request({ stream: true }))).rejects.toBe(PASS_ON);
    await expect(router.invoke('e', request({ targetModel: 'm.tar.gz' }))).rejects.toBe(PASS_ON);
    router.set('zero', { variants: [{ name: 'A', weight: 0, lane: echo }] });
    await expect(router.invoke('zero', request())).rejects.toBe(PASS_ON);
    router.set('e', undefined);
    expect(router.has('e')).toBe(false);
    await expect(router.invoke('e', request())).rejects.toBe(PASS_ON);
  });
});
