import { describe, expect, it } from 'vitest';
import type {
  InvocationRequest,
  InvocationResult,
  InvocationRequest as Request,
} from '../../ports/endpoint-fleet.js';
import { FrontRouter } from './front-router.js';

/** What the router refuses to answer: the front thread passes it on. */
const PASS_ON = new Error('passed on');
/** The router's answer as a promise: rejected with PASS_ON when it does not take the request. */
const answerOf = (router: FrontRouter, endpoint: string, request: Request) =>
  new Promise<InvocationResult>((resolve, reject) => {
    const taken = router.submit(endpoint, request, (outcome) =>
      outcome instanceof Error ? reject(outcome) : resolve(outcome),
    );
    if (!taken) reject(PASS_ON);
  });

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
      const result = await answerOf(router, 'e', request());
      expect(result).toMatchObject({ status: 200, variantName: 'B', contentType: 'text/csv' });
      expect(result.body.toString()).toBe('1,2,3');
    }
    // TargetVariant pins, even to a variant with weight 0.
    expect((await answerOf(router, 'e', request({ targetVariant: 'A' }))).variantName).toBe('A');
  });

  it('passes on what it cannot answer as the fleet would', async () => {
    const router = new FrontRouter();
    router.set('e', { variants: [{ name: 'A', weight: 1, lane: echo }] });
    await expect(answerOf(router, 'other', request())).rejects.toBe(PASS_ON);
    await expect(answerOf(router, 'e', request({ targetVariant: 'Nope' }))).rejects.toBe(PASS_ON);
    await expect(answerOf(router, 'e', request({ stream: true }))).rejects.toBe(PASS_ON);
    await expect(answerOf(router, 'e', request({ targetModel: 'm.tar.gz' }))).rejects.toBe(PASS_ON);
    router.set('zero', { variants: [{ name: 'A', weight: 0, lane: echo }] });
    await expect(answerOf(router, 'zero', request())).rejects.toBe(PASS_ON);
    router.set('e', undefined);
    expect(router.has('e')).toBe(false);
    await expect(answerOf(router, 'e', request())).rejects.toBe(PASS_ON);
  });
});
