import { beforeEach, expect, it } from 'vitest';
import type { MetadataStore } from '../../ports/metadata-store.js';
import type { ConformanceContext } from './context.js';

/** TagStore: tags per resource ARN, listed by key, the last value of a key winning. */
export function tagCases(ctx: ConformanceContext): void {
  let store: MetadataStore;
  beforeEach(() => {
    store = ctx.store();
  });

  const arn = 'arn:aws:sagemaker:us-east-1:000000000000:training-job/t';

  it('adds, lists by key and overwrites', async () => {
    await store.tags.add(arn, [
      { Key: 'team', Value: 'ml' },
      { Key: 'env', Value: 'dev' },
    ]);
    await store.tags.add(arn, [{ Key: 'env', Value: 'prod' }]);
    expect(await store.tags.list(arn)).toEqual([
      { Key: 'env', Value: 'prod' },
      { Key: 'team', Value: 'ml' },
    ]);
  });

  it('takes the last value when one call repeats a key', async () => {
    await store.tags.add(arn, [
      { Key: 'k', Value: '1' },
      { Key: 'k', Value: '2' },
    ]);
    expect(await store.tags.list(arn)).toEqual([{ Key: 'k', Value: '2' }]);
  });

  it('keeps resources apart and removes only the named keys', async () => {
    await store.tags.add(arn, [
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '' },
    ]);
    await store.tags.add(`${arn}-other`, [{ Key: 'a', Value: 'x' }]);
    await store.tags.remove(arn, ['a', 'missing']);
    await store.tags.remove(arn, []);
    expect(await store.tags.list(arn)).toEqual([{ Key: 'b', Value: '' }]);
    expect(await store.tags.list(`${arn}-other`)).toEqual([{ Key: 'a', Value: 'x' }]);
    expect(await store.tags.list('arn:unknown')).toEqual([]);
  });
}
