import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataStore, ResourceKind, StoredResource } from '../../ports/metadata-store.js';
import type { ConformanceContext } from './context.js';

/**
 * ResourceStore. Names are unique per kind, not across kinds. `list` has TrainingJobStore.list's
 * semantics (exclusive time bounds, case-insensitive literal `nameContains`, CreationTime
 * Ascending by default, ties by name in the sort's direction); a resource without a status sorts
 * as the empty string. `update` returns exactly what a later `get` reads (JSON drops undefined
 * members), throws ResourceNotFound when absent, and writes nothing when `change` throws.
 */
export function resourceCases(ctx: ConformanceContext): void {
  let store: MetadataStore;
  beforeEach(() => {
    store = ctx.store();
  });

  it('creates a resource and reads back exactly what was written', async () => {
    const endpoint = fullEndpoint('ep-a');
    expect(await store.resources.create(endpoint)).toBe(true);
    expect(await store.resources.get('endpoint', 'ep-a')).toStrictEqual(endpoint);
    expect(await store.resources.get('endpoint', 'ep-b')).toBeUndefined();
    expect(await store.resources.get('model', 'ep-a')).toBeUndefined();
  });

  it('keeps every JSON value of a record, and no status appears where there was none', async () => {
    const model = resourceAt('model', 'm', 1, undefined);
    const withRecord = { ...model, record: fullRecord() };
    await store.resources.create(withRecord);
    const read = await store.resources.get('model', 'm');
    expect(read).toStrictEqual(withRecord);
    expect('status' in read!).toBe(false);
    // Records need not be objects.
    await store.resources.create({ ...resourceAt('model', 'array', 1, undefined), record: [1, 'two', null] });
    await store.resources.create({ ...resourceAt('model', 'text', 1, undefined), record: 'just text' });
    expect((await store.resources.get('model', 'array'))?.record).toStrictEqual([1, 'two', null]);
    expect((await store.resources.get('model', 'text'))?.record).toBe('just text');
  });

  it('keeps names unique per kind, not across kinds', async () => {
    expect(await store.resources.create(resourceAt('model', 'shared', 1, undefined))).toBe(true);
    expect(await store.resources.create(resourceAt('endpoint-config', 'shared', 2, undefined))).toBe(true);
    expect(await store.resources.create(resourceAt('endpoint', 'shared', 3, 'Creating'))).toBe(true);
    expect(await store.resources.create(resourceAt('transform-job', 'shared', 4, 'InProgress'))).toBe(true);
    expect((await store.resources.get('endpoint-config', 'shared'))?.creationTime).toBe(2);
    expect(await store.resources.list('model', {})).toHaveLength(1);
  });

  it('refuses a duplicate and leaves the first resource untouched', async () => {
    const first = resourceAt('endpoint', 'dup', 1, 'Creating');
    expect(await store.resources.create(first)).toBe(true);
    expect(await store.resources.create({ ...first, status: 'Failed', record: { other: true } })).toBe(false);
    expect(await store.resources.get('endpoint', 'dup')).toStrictEqual(first);
  });

  it('lets exactly one of many concurrent creates of one name win', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.resources.create(resourceAt('model', 'race', i, undefined))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('updates by read-modify-write, returns the new resource and persists it', async () => {
    await store.resources.create(resourceAt('endpoint', 'upd', 10, 'Creating'));
    const seen: StoredResource<EndpointRecord>[] = [];
    const updated = await store.resources.update<EndpointRecord>('endpoint', 'upd', (current) => {
      seen.push(current);
      return {
        ...current,
        status: 'InService',
        lastModifiedTime: 99,
        record: { ...current.record, version: current.record.version + 1, url: 'http://x' },
      };
    });
    expect(seen).toStrictEqual([resourceAt('endpoint', 'upd', 10, 'Creating')]);
    expect(updated).toMatchObject({ status: 'InService', lastModifiedTime: 99, creationTime: 10 });
    expect(updated.record).toStrictEqual({ version: 1, url: 'http://x' });
    expect(await store.resources.get('endpoint', 'upd')).toStrictEqual(updated);
  });

  it('returns from update exactly what get reads back, undefined members dropped', async () => {
    await store.resources.create({ ...resourceAt('endpoint', 'drop', 1, 'Failed'), record: { reason: 'x' } });
    const updated = await store.resources.update<{ reason?: string }>('endpoint', 'drop', (c) => ({
      ...c,
      status: undefined,
      record: { reason: undefined },
    }));
    expect(updated).toStrictEqual(await store.resources.get('endpoint', 'drop'));
    expect('status' in updated).toBe(false);
    expect(updated.record).toStrictEqual({});
  });

  it('throws ResourceNotFound when updating a resource that does not exist', async () => {
    await store.resources.create(resourceAt('model', 'ghost', 1, undefined));
    let called = false;
    const attempt = store.resources.update('endpoint', 'ghost', (c) => {
      called = true;
      return c;
    });
    await expect(attempt).rejects.toMatchObject({ name: 'ResourceNotFound', code: 'ResourceNotFound' });
    expect(called).toBe(false);
    expect(await store.resources.get('endpoint', 'ghost')).toBeUndefined();
  });

  it('writes nothing when the change throws or renames the resource', async () => {
    const original = resourceAt('endpoint', 'keep', 1, 'Creating');
    await store.resources.create(original);
    await expect(
      store.resources.update('endpoint', 'keep', () => {
        throw new Error('validation failed');
      }),
    ).rejects.toThrow('validation failed');
    await expect(
      store.resources.update('endpoint', 'keep', (c) => ({ ...c, name: 'other' })),
    ).rejects.toThrow();
    await expect(
      store.resources.update('endpoint', 'keep', (c) => ({ ...c, kind: 'model' as const })),
    ).rejects.toThrow();
    expect(await store.resources.get('endpoint', 'keep')).toStrictEqual(original);
    expect(await store.resources.get('endpoint', 'other')).toBeUndefined();
    expect(await store.resources.get('model', 'keep')).toBeUndefined();
  });

  it('loses no change when updates of one resource run concurrently', async () => {
    await store.resources.create(resourceAt('endpoint', 'count', 1, 'InService'));
    await Promise.all(
      Array.from({ length: 20 }, () =>
        store.resources.update<EndpointRecord>('endpoint', 'count', (c) => ({
          ...c,
          record: { ...c.record, version: c.record.version + 1 },
        })),
      ),
    );
    expect((await store.resources.get<EndpointRecord>('endpoint', 'count'))?.record.version).toBe(20);
  });

  it('keeps the listed columns in sync with the resource on update', async () => {
    await store.resources.create(resourceAt('endpoint', 'sync', 1, 'Creating'));
    await store.resources.update('endpoint', 'sync', (c) => ({
      ...c,
      status: 'InService',
      lastModifiedTime: 500,
    }));
    const list = (q: Parameters<MetadataStore['resources']['list']>[1]) =>
      store.resources.list('endpoint', q).then(names);
    expect(await list({ statusEquals: 'InService' })).toEqual(['sync']);
    expect(await list({ statusEquals: 'Creating' })).toEqual([]);
    expect(await list({ lastModifiedTimeAfter: 499 })).toEqual(['sync']);
    await store.resources.update('endpoint', 'sync', (c) => ({ ...c, arn: 'arn:new', creationTime: 7 }));
    expect(await list({ creationTimeBefore: 8 })).toEqual(['sync']);
    expect((await store.resources.get('endpoint', 'sync'))?.arn).toBe('arn:new');
  });

  it('deletes, reports whether something was deleted, and frees the name', async () => {
    await store.resources.create(resourceAt('model', 'gone', 1, undefined));
    await store.resources.create(resourceAt('endpoint-config', 'gone', 1, undefined));
    expect(await store.resources.delete('model', 'gone')).toBe(true);
    expect(await store.resources.delete('model', 'gone')).toBe(false);
    expect(await store.resources.delete('endpoint', 'never')).toBe(false);
    expect(await store.resources.get('model', 'gone')).toBeUndefined();
    expect(await store.resources.get('endpoint-config', 'gone')).toBeDefined();
    expect(await store.resources.create(resourceAt('model', 'gone', 2, undefined))).toBe(true);
    expect((await store.resources.get('model', 'gone'))?.creationTime).toBe(2);
  });

  describe('list', () => {
    // name, creationTime, lastModifiedTime, status
    const fixtures: [string, number, number, string][] = [
      ['alpha-1', 100, 150, 'InService'],
      ['Beta-2', 200, 250, 'Creating'],
      ['gamma-3', 300, 350, 'Failed'],
      ['delta-4', 300, 450, 'Creating'],
      ['epsilon-5', 500, 550, 'Updating'],
    ];
    beforeEach(async () => {
      for (const [name, created, modified, status] of fixtures) {
        await store.resources.create({
          ...resourceAt('endpoint', name, created, status),
          lastModifiedTime: modified,
        });
      }
      // Same names, other kinds: list must never return them.
      await store.resources.create(resourceAt('model', 'alpha-1', 1, undefined));
      await store.resources.create(resourceAt('transform-job', 'zeta', 400, 'Creating'));
    });
    const list = (q: Parameters<MetadataStore['resources']['list']>[1]) =>
      store.resources.list('endpoint', q).then(names);

    it('returns only the kind asked for, whole', async () => {
      const all = await store.resources.list('endpoint', {});
      expect(all).toHaveLength(5);
      expect(all.every((r) => r.kind === 'endpoint')).toBe(true);
      expect(all[0]).toStrictEqual({
        ...resourceAt('endpoint', 'alpha-1', 100, 'InService'),
        lastModifiedTime: 150,
      });
      expect(await store.resources.list('endpoint-config', {})).toEqual([]);
    });

    it('sorts by creation time ascending by default, ties by name; Descending is the reverse', async () => {
      const asc = ['alpha-1', 'Beta-2', 'delta-4', 'gamma-3', 'epsilon-5'];
      expect(await list({})).toEqual(asc);
      expect(await list({ sortBy: 'CreationTime', sortOrder: 'Descending' })).toEqual([...asc].reverse());
    });

    it('sorts by name comparing code points, and by status with ties by name', async () => {
      const byName = ['Beta-2', 'alpha-1', 'delta-4', 'epsilon-5', 'gamma-3'];
      expect(await list({ sortBy: 'Name' })).toEqual(byName);
      expect(await list({ sortBy: 'Name', sortOrder: 'Descending' })).toEqual([...byName].reverse());
      const byStatus = ['Beta-2', 'delta-4', 'gamma-3', 'alpha-1', 'epsilon-5'];
      expect(await list({ sortBy: 'Status' })).toEqual(byStatus);
      expect(await list({ sortBy: 'Status', sortOrder: 'Descending' })).toEqual([...byStatus].reverse());
    });

    it('sorts resources without a status as if it were empty', async () => {
      await store.resources.create(resourceAt('endpoint', 'no-status', 50, undefined));
      expect((await list({ sortBy: 'Status' }))[0]).toBe('no-status');
      expect((await list({ sortBy: 'Status', sortOrder: 'Descending' })).at(-1)).toBe('no-status');
      expect(await list({ statusIn: ['Creating', 'InService'] })).not.toContain('no-status');
    });

    it('filters by name substring, ignoring case and treating wildcards literally', async () => {
      expect(await list({ nameContains: 'ETA' })).toEqual(['Beta-2']);
      expect(await list({ nameContains: 'a-1' })).toEqual(['alpha-1']);
      expect(await list({ nameContains: '' })).toHaveLength(5);
      expect(await list({ nameContains: '_' })).toEqual([]);
      expect(await list({ nameContains: '%' })).toEqual([]);
      await store.resources.create(resourceAt('endpoint', 'under_score%', 1, 'InService'));
      expect(await list({ nameContains: 'R_S' })).toEqual(['under_score%']);
      expect(await list({ nameContains: 'e%' })).toEqual(['under_score%']);
    });

    it('filters by status', async () => {
      expect(await list({ statusEquals: 'Creating' })).toEqual(['Beta-2', 'delta-4']);
      expect(await list({ statusIn: ['Failed', 'Updating'] })).toEqual(['gamma-3', 'epsilon-5']);
      expect(await list({ statusIn: [] })).toEqual([]);
      expect(await list({ statusIn: ['Creating', 'Failed'], statusEquals: 'Failed' })).toEqual(['gamma-3']);
    });

    it('filters by creation and modification time, bounds exclusive', async () => {
      expect(await list({ creationTimeAfter: 200 })).toEqual(['delta-4', 'gamma-3', 'epsilon-5']);
      expect(await list({ creationTimeBefore: 200 })).toEqual(['alpha-1']);
      expect(await list({ creationTimeAfter: 100, creationTimeBefore: 500 })).toEqual([
        'Beta-2',
        'delta-4',
        'gamma-3',
      ]);
      expect(await list({ lastModifiedTimeAfter: 350 })).toEqual(['delta-4', 'epsilon-5']);
      expect(await list({ lastModifiedTimeBefore: 250 })).toEqual(['alpha-1']);
    });

    it('combines filters with sorting and paging', async () => {
      const page = await list({
        statusIn: ['Creating', 'Failed', 'Updating'],
        creationTimeAfter: 150,
        sortBy: 'Name',
        sortOrder: 'Descending',
        offset: 1,
        limit: 2,
      });
      expect(page).toEqual(['epsilon-5', 'delta-4']);
    });

    it('pages with offset and limit, every resource exactly once', async () => {
      const seen: string[] = [];
      for (let offset = 0; offset < 10; offset += 2)
        seen.push(...(await list({ sortBy: 'Name', offset, limit: 2 })));
      expect(seen).toEqual(await list({ sortBy: 'Name' }));
      expect(await list({ offset: 3 })).toEqual(['gamma-3', 'epsilon-5']);
      expect(await list({ limit: 0 })).toEqual([]);
    });
  });
}

interface EndpointRecord {
  readonly version: number;
  readonly url?: string;
}

/** A resource with a small record; `status` undefined leaves the field out. */
function resourceAt(
  kind: ResourceKind,
  name: string,
  creationTime: number,
  status: string | undefined,
): StoredResource<EndpointRecord> {
  return {
    kind,
    name,
    arn: `arn:aws:sagemaker:us-east-1:000000000000:${kind}/${name.toLowerCase()}`,
    ...(status !== undefined && { status }),
    creationTime,
    lastModifiedTime: creationTime,
    record: { version: 0 },
  };
}

/** An endpoint whose record holds every kind of JSON value. */
function fullEndpoint(name: string): StoredResource<unknown> {
  return { ...resourceAt('endpoint', name, 1_700_000_000_123, 'InService'), record: fullRecord() };
}

function fullRecord(): unknown {
  return {
    EndpointConfigName: 'cfg',
    ProductionVariants: [
      { VariantName: 'AllTraffic', CurrentWeight: 1, CurrentInstanceCount: 2, DeployedImages: [] },
      { VariantName: 'shadow', CurrentWeight: 0.123456789012345, Serverless: { MemorySizeInMB: 2048 } },
    ],
    FailureReason: 'ünïcödé «quoted» "double" \\ backslash\nnew line \u0000 nul',
    Big: 9_007_199_254_740_991,
    Negative: -0.5,
    Enabled: false,
    Nothing: null,
    Empty: '',
    EmptyObject: {},
  };
}

function names(resources: readonly StoredResource<unknown>[]): string[] {
  return resources.map((r) => r.name);
}
