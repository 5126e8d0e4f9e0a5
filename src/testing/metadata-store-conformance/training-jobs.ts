import { beforeEach, describe, expect, it } from 'vitest';
import type { TrainingJobRecord, TrainingJobStatus } from '../../domain/training-job.js';
import type { MetadataStore } from '../../ports/metadata-store.js';
import type { ConformanceContext } from './context.js';

/**
 * TrainingJobStore. `list`: time filters are exclusive; `nameContains` ignores case and treats
 * `%`/`_` literally; the default sort is CreationTime Ascending; ties break by name in the sort's
 * direction (so Descending is Ascending reversed). `update`: a patch key set to `undefined`
 * removes that field.
 */
export function trainingJobCases(ctx: ConformanceContext): void {
  let store: MetadataStore;
  beforeEach(() => {
    store = ctx.store();
  });

  it('creates a job and reads back exactly what was written', async () => {
    const job = fullJob('job-a');
    expect(await store.trainingJobs.create(job)).toBe(true);
    expect(await store.trainingJobs.get('job-a')).toStrictEqual(job);
    expect(await store.trainingJobs.get('job-b')).toBeUndefined();
  });

  it('keeps every field of a record through the JSON round trip', async () => {
    const job = fullJob('round-trip');
    await store.trainingJobs.create(job);
    const read = await store.trainingJobs.get('round-trip');
    expect(read).toStrictEqual(job);
    // A minimal record stays minimal: no optional field appears from nowhere.
    const minimal = jobAt('minimal', 1);
    await store.trainingJobs.create(minimal);
    expect(Object.keys((await store.trainingJobs.get('minimal'))!).sort()).toEqual(
      Object.keys(minimal).sort(),
    );
  });

  it('refuses a duplicate name and leaves the first record untouched', async () => {
    const first = jobAt('dup', 1);
    expect(await store.trainingJobs.create(first)).toBe(true);
    expect(await store.trainingJobs.create({ ...jobAt('dup', 2), status: 'Failed' })).toBe(false);
    expect(await store.trainingJobs.get('dup')).toStrictEqual(first);
  });

  it('lets exactly one of many concurrent creates of one name win', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.trainingJobs.create(jobAt('race', i))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('applies a patch, returns the new record and persists it', async () => {
    await store.trainingJobs.create(jobAt('upd', 10));
    const updated = await store.trainingJobs.update('upd', {
      status: 'Completed',
      secondaryStatus: 'Completed',
      lastModifiedTime: 99,
      modelArtifacts: 's3://bucket/upd/output/model.tar.gz',
      attempts: 1,
    });
    expect(updated).toMatchObject({ name: 'upd', status: 'Completed', attempts: 1, creationTime: 10 });
    expect(await store.trainingJobs.get('upd')).toStrictEqual(updated);
  });

  it('removes a field whose patch value is undefined', async () => {
    await store.trainingJobs.create({ ...jobAt('clear', 1), failureReason: 'boom' });
    const updated = await store.trainingJobs.update('clear', { failureReason: undefined });
    expect('failureReason' in updated).toBe(false);
    expect('failureReason' in (await store.trainingJobs.get('clear'))!).toBe(false);
  });

  it('throws when updating a job that does not exist', async () => {
    await expect(store.trainingJobs.update('ghost', { status: 'Failed' })).rejects.toThrow();
    expect(await store.trainingJobs.get('ghost')).toBeUndefined();
  });

  it('loses no field when updates of one job run concurrently', async () => {
    await store.trainingJobs.create(jobAt('conc', 1));
    await Promise.all([
      store.trainingJobs.update('conc', { attempts: 3 }),
      store.trainingJobs.update('conc', { stopRequested: true }),
      store.trainingJobs.update('conc', { failureReason: 'x' }),
      store.trainingJobs.update('conc', { trainingStartTime: 5 }),
    ]);
    expect(await store.trainingJobs.get('conc')).toMatchObject({
      attempts: 3,
      stopRequested: true,
      failureReason: 'x',
      trainingStartTime: 5,
    });
  });

  it('keeps filterable columns in sync with the record on update', async () => {
    await store.trainingJobs.create(jobAt('sync', 1));
    await store.trainingJobs.update('sync', { status: 'Stopped', lastModifiedTime: 500 });
    expect(names(await store.trainingJobs.list({ statusEquals: 'Stopped' }))).toEqual(['sync']);
    expect(await store.trainingJobs.list({ statusEquals: 'InProgress' })).toEqual([]);
    expect(names(await store.trainingJobs.list({ lastModifiedTimeAfter: 499 }))).toEqual(['sync']);
  });

  describe('list', () => {
    // name, creationTime, lastModifiedTime, status
    const fixtures: [string, number, number, TrainingJobStatus][] = [
      ['alpha-1', 100, 150, 'Completed'],
      ['Beta-2', 200, 250, 'InProgress'],
      ['gamma-3', 300, 350, 'Failed'],
      ['delta-4', 300, 450, 'InProgress'],
      ['epsilon-5', 500, 550, 'Stopped'],
    ];
    beforeEach(async () => {
      for (const [name, created, modified, status] of fixtures) {
        await store.trainingJobs.create({ ...jobAt(name, created), lastModifiedTime: modified, status });
      }
    });

    it('sorts by creation time ascending by default, ties by name', async () => {
      expect(names(await store.trainingJobs.list({}))).toEqual([
        'alpha-1',
        'Beta-2',
        'delta-4',
        'gamma-3',
        'epsilon-5',
      ]);
    });

    it('sorts by creation time descending as the exact reverse', async () => {
      const asc = names(await store.trainingJobs.list({ sortBy: 'CreationTime', sortOrder: 'Ascending' }));
      const desc = names(await store.trainingJobs.list({ sortBy: 'CreationTime', sortOrder: 'Descending' }));
      expect(desc).toEqual([...asc].reverse());
    });

    it('sorts by name, comparing code points', async () => {
      const expected = ['Beta-2', 'alpha-1', 'delta-4', 'epsilon-5', 'gamma-3'];
      expect(names(await store.trainingJobs.list({ sortBy: 'Name' }))).toEqual(expected);
      expect(names(await store.trainingJobs.list({ sortBy: 'Name', sortOrder: 'Descending' }))).toEqual(
        [...expected].reverse(),
      );
    });

    it('sorts by status, ties by name', async () => {
      expect(names(await store.trainingJobs.list({ sortBy: 'Status' }))).toEqual([
        'alpha-1',
        'gamma-3',
        'Beta-2',
        'delta-4',
        'epsilon-5',
      ]);
    });

    it('filters by name substring, ignoring case and treating wildcards literally', async () => {
      expect(names(await store.trainingJobs.list({ nameContains: 'ETA' }))).toEqual(['Beta-2']);
      expect(names(await store.trainingJobs.list({ nameContains: 'a-1' }))).toEqual(['alpha-1']);
      expect(await store.trainingJobs.list({ nameContains: '_' })).toEqual([]);
      expect(await store.trainingJobs.list({ nameContains: '%' })).toEqual([]);
    });

    it('filters by status', async () => {
      expect(names(await store.trainingJobs.list({ statusEquals: 'InProgress' }))).toEqual([
        'Beta-2',
        'delta-4',
      ]);
      expect(names(await store.trainingJobs.list({ statusIn: ['Failed', 'Stopped'] }))).toEqual([
        'gamma-3',
        'epsilon-5',
      ]);
      expect(await store.trainingJobs.list({ statusIn: [] })).toEqual([]);
      expect(
        names(await store.trainingJobs.list({ statusIn: ['InProgress', 'Failed'], statusEquals: 'Failed' })),
      ).toEqual(['gamma-3']);
    });

    it('filters by creation and modification time, bounds exclusive', async () => {
      const list = store.trainingJobs;
      expect(names(await list.list({ creationTimeAfter: 200 }))).toEqual(['delta-4', 'gamma-3', 'epsilon-5']);
      expect(names(await list.list({ creationTimeBefore: 200 }))).toEqual(['alpha-1']);
      expect(names(await list.list({ creationTimeAfter: 100, creationTimeBefore: 500 }))).toEqual([
        'Beta-2',
        'delta-4',
        'gamma-3',
      ]);
      expect(names(await list.list({ lastModifiedTimeAfter: 350 }))).toEqual(['delta-4', 'epsilon-5']);
      expect(names(await list.list({ lastModifiedTimeBefore: 250 }))).toEqual(['alpha-1']);
    });

    it('combines filters with sorting and paging', async () => {
      const page = await store.trainingJobs.list({
        statusIn: ['InProgress', 'Failed', 'Stopped'],
        creationTimeAfter: 150,
        sortBy: 'Name',
        sortOrder: 'Descending',
        offset: 1,
        limit: 2,
      });
      expect(names(page)).toEqual(['epsilon-5', 'delta-4']);
    });

    it('pages with offset and limit, every job exactly once', async () => {
      const seen: string[] = [];
      for (let offset = 0; offset < 10; offset += 2) {
        seen.push(...names(await store.trainingJobs.list({ sortBy: 'Name', offset, limit: 2 })));
      }
      expect(seen).toEqual(names(await store.trainingJobs.list({ sortBy: 'Name' })));
      expect(names(await store.trainingJobs.list({ offset: 3 }))).toEqual(['gamma-3', 'epsilon-5']);
      expect(await store.trainingJobs.list({ limit: 0 })).toEqual([]);
    });
  });
}

/** A record with every optional field set, nested request data and non-ASCII text. */
export function fullJob(name: string): TrainingJobRecord {
  return {
    name,
    arn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${name}`,
    status: 'Failed',
    secondaryStatus: 'Failed',
    failureReason: 'AlgorithmError: exit code 1 — «ünïcödé» "quoted"\nsecond line',
    request: {
      AlgorithmSpecification: { TrainingImage: 'xgboost:1.7-1', TrainingInputMode: 'File' },
      HyperParameters: { max_depth: '5', eta: '0.2' },
      InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3Uri: 's3://b/train' } } }],
      ResourceConfig: { InstanceCount: 1, VolumeSizeInGB: 30 },
      EnableNetworkIsolation: false,
      Nothing: null,
    },
    creationTime: 1_700_000_000_123,
    lastModifiedTime: 1_700_000_100_456,
    trainingStartTime: 1_700_000_001_000,
    trainingEndTime: 1_700_000_099_999,
    transitions: [
      {
        Status: 'Starting',
        StartTime: 1_700_000_000_123,
        EndTime: 1_700_000_001_000,
        StatusMessage: 'Starting',
      },
      { Status: 'Failed', StartTime: 1_700_000_099_999, StatusMessage: 'Training job failed' },
    ],
    finalMetrics: [{ MetricName: 'train:rmse', Value: 0.123456789012345, Timestamp: 1_700_000_099_000 }],
    modelArtifacts: `s3://bucket/${name}/output/model.tar.gz`,
    attempts: 2,
    stopRequested: true,
  };
}

/** A record with only the required fields. */
export function jobAt(name: string, creationTime: number): TrainingJobRecord {
  return {
    name,
    arn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${name}`,
    status: 'InProgress',
    secondaryStatus: 'Starting',
    request: {},
    creationTime,
    lastModifiedTime: creationTime,
    transitions: [],
    finalMetrics: [],
    attempts: 0,
    stopRequested: false,
  };
}

function names(jobs: readonly TrainingJobRecord[]): string[] {
  return jobs.map((j) => j.name);
}
