import { beforeEach, expect, it } from 'vitest';
import type { LogEvent, MetadataStore, StoredLogEvent } from '../../ports/metadata-store.js';
import type { ConformanceContext } from './context.js';

/**
 * LogStore. Events are ordered and paged by id (ingestion order); `getEvents` takes
 * [startTime, endTime), `filterEvents` [startTime, endTime] (as CloudWatch's GetLogEvents and
 * FilterLogEvents); `storedBytes` counts UTF-8 bytes of messages; `append` creates a missing stream.
 */
export function logCases(ctx: ConformanceContext): void {
  let store: MetadataStore;
  beforeEach(() => {
    store = ctx.store();
  });

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
