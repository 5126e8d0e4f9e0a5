import { filterMatcher } from '../domain/log-filter.js';
import { AwsError } from '../errors/aws-error.js';
import type { LogEventQuery, LogStreamInfo, MetadataStore, StoredLogEvent } from '../ports/metadata-store.js';

const SCAN_BATCH = 1000;

export interface FilterQuery {
  readonly streams?: readonly string[];
  readonly streamPrefix?: string;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly afterId?: number;
  readonly pattern?: string;
  readonly limit: number;
}

/** Reading job logs the way CloudWatch Logs answers: streams, events of a stream, filtered events. */
export function createLogReader(store: MetadataStore) {
  async function streams(
    group: string,
    options: { prefix?: string; orderBy: 'LogStreamName' | 'LastEventTime'; descending: boolean },
  ): Promise<LogStreamInfo[]> {
    const all = await store.logs.listStreams(group, { orderBy: 'LogStreamName', descending: false });
    if (all.length === 0)
      throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
    return options.prefix || options.orderBy !== 'LogStreamName' || options.descending
      ? store.logs.listStreams(group, options)
      : all;
  }

  return {
    streams,

    async events(group: string, stream: string, query: LogEventQuery): Promise<StoredLogEvent[]> {
      const found = await store.logs.listStreams(group, {
        prefix: stream,
        orderBy: 'LogStreamName',
        descending: false,
      });
      if (!found.some((s) => s.logStreamName === stream)) {
        throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
      }
      return store.logs.getEvents(group, stream, query);
    },

    /** Scans in batches until `limit` matches or the end; `cursor` is where the next page starts. */
    async filter(
      group: string,
      query: FilterQuery,
    ): Promise<{ events: StoredLogEvent[]; searched: string[]; cursor?: number; more: boolean }> {
      const all = await streams(group, { orderBy: 'LogStreamName', descending: false });
      const matches = filterMatcher(query.pattern ?? '');
      const events: StoredLogEvent[] = [];
      let cursor = query.afterId;
      for (;;) {
        const batch = await store.logs.filterEvents(group, { ...query, afterId: cursor, limit: SCAN_BATCH });
        for (const e of batch) {
          cursor = e.id;
          if (matches(e.message)) events.push(e);
          if (events.length >= query.limit) break;
        }
        if (events.length >= query.limit || batch.length < SCAN_BATCH) break;
      }
      const searched = all
        .map((s) => s.logStreamName)
        .filter((n) => (query.streams ? query.streams.includes(n) : n.startsWith(query.streamPrefix ?? '')));
      return { events, searched, cursor, more: events.length >= query.limit };
    },
  };
}

export type LogReader = ReturnType<typeof createLogReader>;
