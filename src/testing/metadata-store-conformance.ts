import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrainingJobRecord, TrainingJobStatus } from '../domain/training-job.js';
import type { LogEvent, MetadataStore, StoredLogEvent } from '../ports/metadata-store.js';

/** Opens a fresh, empty store; the suite closes it after each test. */
export type MetadataStoreFactory = () => Promise<MetadataStore>;

/**
 * The behaviour every `MetadataStore` adapter must have. Call it inside a `describe` of the
 * adapter's test file; each test gets a new store from `factory`.
 *
 * Semantics the port leaves implicit and this suite pins down:
 * - `list`: time filters are exclusive; `nameContains` ignores case and treats `%`/`_`
 *   literally; the default sort is CreationTime Ascending; ties break by name in the sort's
 *   direction (so Descending is Ascending reversed).
 * - `update`: a patch key set to `undefined` removes that field.
 * - logs: events are ordered and paged by id (ingestion order); `getEvents` takes
 *   [startTime, endTime), `filterEvents` [startTime, endTime] (as CloudWatch's GetLogEvents and
 *   FilterLogEvents); `storedBytes` counts UTF-8 bytes of messages; `append` creates a missing stream.
 * - metrics: `series` is in timestamp order, same-timestamp points in append order; NaN survives.
 */
export function metadataStoreConformance(factory: MetadataStoreFactory): void {
  let store: MetadataStore;
  beforeEach(async () => {
    store = await factory();
  });
  afterEach(async () => {
    await store.close();
  });

  describe('training jobs', () => {
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
        const desc = names(
          await store.trainingJobs.list({ sortBy: 'CreationTime', sortOrder: 'Descending' }),
        );
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
          names(
            await store.trainingJobs.list({ statusIn: ['InProgress', 'Failed'], statusEquals: 'Failed' }),
          ),
        ).toEqual(['gamma-3']);
      });

      it('filters by creation and modification time, bounds exclusive', async () => {
        const list = store.trainingJobs;
        expect(names(await list.list({ creationTimeAfter: 200 }))).toEqual([
          'delta-4',
          'gamma-3',
          'epsilon-5',
        ]);
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
  });

  describe('tags', () => {
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
  });

  describe('logs', () => {
    const group = '/aws/sagemaker/TrainingJobs';

    it('creates a stream once and describes an empty stream', async () => {
      await store.logs.createStream(group, 'job/algo-1', 1000);
      await store.logs.createStream(group, 'job/algo-1', 2000);
      expect(await store.logs.listStreams(group, { orderBy: 'LogStreamName', descending: false })).toEqual([
        { logStreamName: 'job/algo-1', creationTime: 1000, storedBytes: 0 },
      ]);
      expect(await store.logs.listStreams('/other', { orderBy: 'LogStreamName', descending: false })).toEqual(
        [],
      );
    });

    it('tracks first and last event time, ingestion time and UTF-8 bytes across appends', async () => {
      await store.logs.createStream(group, 's', 1);
      await store.logs.append(group, 's', [
        { timestamp: 50, message: 'héllo' },
        { timestamp: 40, message: 'a' },
      ]);
      await store.logs.append(group, 's', [{ timestamp: 60, message: 'bc' }]);
      await store.logs.append(group, 's', []);
      const [info] = await store.logs.listStreams(group, { orderBy: 'LogStreamName', descending: false });
      const events = await store.logs.getEvents(group, 's', { fromHead: true, limit: 10 });
      expect(info).toMatchObject({ firstEventTimestamp: 40, lastEventTimestamp: 60, storedBytes: 6 + 1 + 2 });
      expect(info!.lastIngestionTime).toBe(Math.max(...events.map((e) => e.ingestionTime)));
    });

    it('creates a missing stream on append', async () => {
      await store.logs.append(group, 'implicit', [{ timestamp: 7, message: 'x' }]);
      const streams = await store.logs.listStreams(group, { orderBy: 'LogStreamName', descending: false });
      expect(streams).toMatchObject([{ logStreamName: 'implicit', firstEventTimestamp: 7, storedBytes: 1 }]);
    });

    it('lists streams by prefix (case-sensitive), name and last event time', async () => {
      await store.logs.append(group, 'job-b/algo-1', [{ timestamp: 30, message: 'x' }]);
      await store.logs.append(group, 'job-a/algo-1', [{ timestamp: 10, message: 'x' }]);
      await store.logs.append(group, 'job-a/algo-2', [{ timestamp: 20, message: 'x' }]);
      await store.logs.append(group, 'JOB-a/algo-3', [{ timestamp: 40, message: 'x' }]);
      const list = (o: Parameters<MetadataStore['logs']['listStreams']>[1]) =>
        store.logs.listStreams(group, o).then((s) => s.map((x) => x.logStreamName));
      expect(await list({ prefix: 'job-a/', orderBy: 'LogStreamName', descending: false })).toEqual([
        'job-a/algo-1',
        'job-a/algo-2',
      ]);
      expect(await list({ orderBy: 'LogStreamName', descending: true })).toEqual([
        'job-b/algo-1',
        'job-a/algo-2',
        'job-a/algo-1',
        'JOB-a/algo-3',
      ]);
      expect(await list({ orderBy: 'LastEventTime', descending: true })).toEqual([
        'JOB-a/algo-3',
        'job-b/algo-1',
        'job-a/algo-2',
        'job-a/algo-1',
      ]);
    });

    it('reads from the head, oldest first, and pages forward by id', async () => {
      await store.logs.append(group, 's', numbered(25));
      await store.logs.append(group, 'other', numbered(3));
      const first = await store.logs.getEvents(group, 's', { fromHead: true, limit: 10 });
      expect(first.map((e) => e.message)).toEqual(numbered(10).map((e) => e.message));
      expect(first.every((e) => e.logStreamName === 's')).toBe(true);
      const all = await pageForward((afterId) =>
        store.logs.getEvents(group, 's', {
          fromHead: true,
          limit: 10,
          ...(afterId !== undefined && { afterId }),
        }),
      );
      expect(all.map((e) => e.message)).toEqual(numbered(25).map((e) => e.message));
    });

    it('reads from the tail: the newest events, oldest first, paging backward by id', async () => {
      await store.logs.append(group, 's', numbered(25));
      const last = await store.logs.getEvents(group, 's', { fromHead: false, limit: 10 });
      expect(last.map((e) => e.message)).toEqual(
        numbered(25)
          .slice(15)
          .map((e) => e.message),
      );
      const pages: StoredLogEvent[][] = [last];
      for (;;) {
        const beforeId = pages[0]![0]!.id;
        const page = await store.logs.getEvents(group, 's', { fromHead: false, limit: 10, beforeId });
        if (page.length === 0) break;
        pages.unshift(page);
      }
      expect(pages.flat().map((e) => e.message)).toEqual(numbered(25).map((e) => e.message));
    });

    it('keeps forward paging stable while events keep arriving', async () => {
      await store.logs.append(group, 's', numbered(5));
      const page1 = await store.logs.getEvents(group, 's', { fromHead: true, limit: 3 });
      await store.logs.append(group, 's', numbered(4, 5));
      const rest = await pageForward(
        (afterId) => store.logs.getEvents(group, 's', { fromHead: true, limit: 3, afterId: afterId! }),
        page1.at(-1)!.id,
      );
      expect([...page1, ...rest].map((e) => e.message)).toEqual(numbered(9).map((e) => e.message));
    });

    it('bounds getEvents to [startTime, endTime)', async () => {
      await store.logs.append(group, 's', numbered(10)); // timestamps 1000..1009
      const events = await store.logs.getEvents(group, 's', {
        fromHead: true,
        limit: 100,
        startTime: 1002,
        endTime: 1005,
      });
      expect(events.map((e) => e.timestamp)).toEqual([1002, 1003, 1004]);
    });

    it('gives every event an id that grows across streams and stores a large batch whole', async () => {
      await store.logs.append(group, 'a', numbered(2500));
      await store.logs.append(group, 'b', numbered(3));
      const a = await store.logs.getEvents(group, 'a', { fromHead: true, limit: 5000 });
      const b = await store.logs.getEvents(group, 'b', { fromHead: true, limit: 10 });
      expect(a.map((e) => e.message)).toEqual(numbered(2500).map((e) => e.message));
      const ids = [...a, ...b].map((e) => e.id);
      expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    });

    it('filters across streams, oldest first, with stream, prefix and time bounds', async () => {
      await store.logs.append(group, 'job-a/algo-1', [{ timestamp: 1, message: 'a1' }]);
      await store.logs.append(group, 'job-b/algo-1', [{ timestamp: 2, message: 'b1' }]);
      await store.logs.append(group, 'job-a/algo-2', [{ timestamp: 3, message: 'a2' }]);
      await store.logs.append('/elsewhere', 'job-a/algo-1', [{ timestamp: 2, message: 'x' }]);
      const msgs = (q: Parameters<MetadataStore['logs']['filterEvents']>[1]) =>
        store.logs.filterEvents(group, q).then((es) => es.map((e) => e.message));
      expect(await msgs({ limit: 10 })).toEqual(['a1', 'b1', 'a2']);
      expect(await msgs({ streams: ['job-a/algo-2', 'job-b/algo-1'], limit: 10 })).toEqual(['b1', 'a2']);
      expect(await msgs({ streams: [], limit: 10 })).toEqual([]);
      expect(await msgs({ streamPrefix: 'job-a/', limit: 10 })).toEqual(['a1', 'a2']);
      expect(await msgs({ startTime: 2, endTime: 3, limit: 10 })).toEqual(['b1', 'a2']);
      expect(await msgs({ startTime: 2, endTime: 2, limit: 10 })).toEqual(['b1']);
      expect(await msgs({ limit: 2 })).toEqual(['a1', 'b1']);
      const all = await store.logs.filterEvents(group, { limit: 10 });
      expect(all.map((e) => e.logStreamName)).toEqual(['job-a/algo-1', 'job-b/algo-1', 'job-a/algo-2']);
      expect(await msgs({ afterId: all[0]!.id, limit: 10 })).toEqual(['b1', 'a2']);
    });
  });

  describe('metrics', () => {
    it('appends points and returns series in time order, per job and per metric', async () => {
      await store.metrics.append('job', [
        { MetricName: 'train:loss', Value: 0.5, Timestamp: 20 },
        { MetricName: 'validation:auc', Value: 0.9, Timestamp: 15 },
      ]);
      await store.metrics.append('job', [{ MetricName: 'train:loss', Value: 0.25, Timestamp: 10 }]);
      await store.metrics.append('other', [{ MetricName: 'train:loss', Value: 9, Timestamp: 1 }]);
      await store.metrics.append('job', []);
      expect(await store.metrics.series('job')).toEqual([
        { MetricName: 'train:loss', Value: 0.25, Timestamp: 10 },
        { MetricName: 'validation:auc', Value: 0.9, Timestamp: 15 },
        { MetricName: 'train:loss', Value: 0.5, Timestamp: 20 },
      ]);
      expect((await store.metrics.series('job', 'train:loss')).map((p) => p.Value)).toEqual([0.25, 0.5]);
      expect(await store.metrics.series('nobody')).toEqual([]);
    });

    it('keeps append order for equal timestamps and non-finite values', async () => {
      const points = [Number.NaN, Number.POSITIVE_INFINITY, -1e-300, 1 / 3].map((Value) => ({
        MetricName: 'm',
        Value,
        Timestamp: 1_700_000_000_000,
      }));
      await store.metrics.append('job', points);
      expect(await store.metrics.series('job', 'm')).toEqual(points);
    });
  });
}

/** A record with every optional field set, nested request data and non-ASCII text. */
function fullJob(name: string): TrainingJobRecord {
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
function jobAt(name: string, creationTime: number): TrainingJobRecord {
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

/** `count` events `line <n>` with timestamps 1000 + n, starting at n = `from`. */
function numbered(count: number, from = 0): LogEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    timestamp: 1000 + from + i,
    message: `line ${from + i}`,
  }));
}

/** Follows afterId pages until an empty one. */
async function pageForward(
  nextPage: (afterId: number | undefined) => Promise<StoredLogEvent[]>,
  startAfter?: number,
): Promise<StoredLogEvent[]> {
  const out: StoredLogEvent[] = [];
  let afterId = startAfter;
  for (;;) {
    const page = await nextPage(afterId);
    if (page.length === 0) return out;
    out.push(...page);
    afterId = page.at(-1)!.id;
  }
}
