import { type Kysely, type Selectable, sql } from 'kysely';
import type {
  LogEvent,
  LogEventQuery,
  LogStore,
  LogStreamInfo,
  StoredLogEvent,
} from '../../ports/metadata-store.js';
import type { LogEventsTable, LogStreamsTable, MetadataDatabase } from './schema.js';
import { chunk, toNumber, toOptionalNumber } from './sql-values.js';

// Five parameters a row: 1,000 rows stay well under SQLite's 32,766 and PostgreSQL's 65,535.
const rowsPerInsert = 1_000;

/** Options of `listStreams`, as the port declares them. */
type ListStreamsOptions = Parameters<LogStore['listStreams']>[1];
/** The query of `filterEvents`, as the port declares it. */
type FilterEventsQuery = Parameters<LogStore['filterEvents']>[1];

/**
 * CloudWatch-Logs-shaped storage. Events are ordered and paged by their id (ingestion
 * order), which never changes once written, so page tokens stay valid while jobs keep logging.
 */
export class SqlLogStore implements LogStore {
  constructor(
    private readonly db: Kysely<MetadataDatabase>,
    private readonly now: () => number,
  ) {}

  async createStream(group: string, stream: string, creationTime: number): Promise<void> {
    await this.db
      .insertInto('log_streams')
      .values({ log_group: group, log_stream: stream, creation_time: creationTime })
      .onConflict((oc) => oc.columns(['log_group', 'log_stream']).doNothing())
      .execute();
  }

  /** Appends events; a stream that does not exist yet is created first (at the current time). */
  async append(group: string, stream: string, events: readonly LogEvent[]): Promise<void> {
    if (events.length === 0) return;
    const ingestionTime = this.now();
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    let bytes = 0;
    const rows = events.map((e) => {
      first = Math.min(first, e.timestamp);
      last = Math.max(last, e.timestamp);
      bytes += Buffer.byteLength(e.message, 'utf8');
      return {
        log_group: group,
        log_stream: stream,
        timestamp: e.timestamp,
        ingestion_time: ingestionTime,
        message: e.message,
      };
    });
    // One transaction: the events and the stream's summary become visible (and durable) together.
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('log_streams')
        .values({ log_group: group, log_stream: stream, creation_time: ingestionTime })
        .onConflict((oc) => oc.columns(['log_group', 'log_stream']).doNothing())
        .execute();
      for (const batch of chunk(rows, rowsPerInsert))
        await trx.insertInto('log_events').values(batch).execute();
      // Computed in SQL rather than read-modify-write, so concurrent appends to one stream
      // (possible on PostgreSQL) cannot lose each other's bounds or bytes.
      await trx
        .updateTable('log_streams')
        .set({
          first_event_timestamp: sql<number>`case when first_event_timestamp is null or first_event_timestamp > ${first} then cast(${first} as bigint) else first_event_timestamp end`,
          last_event_timestamp: sql<number>`case when last_event_timestamp is null or last_event_timestamp < ${last} then cast(${last} as bigint) else last_event_timestamp end`,
          last_ingestion_time: ingestionTime,
          stored_bytes: sql<number>`stored_bytes + ${bytes}`,
        })
        .where('log_group', '=', group)
        .where('log_stream', '=', stream)
        .execute();
    });
  }

  async listStreams(group: string, options: ListStreamsOptions): Promise<LogStreamInfo[]> {
    const direction = options.descending ? 'desc' : 'asc';
    let q = this.db.selectFrom('log_streams').selectAll().where('log_group', '=', group);
    if (options.prefix !== undefined && options.prefix !== '')
      q = q.where(hasPrefix('log_stream', options.prefix));
    // Streams without events sort as the oldest; NULL ordering differs between dialects.
    if (options.orderBy === 'LastEventTime') q = q.orderBy(sql`coalesce(last_event_timestamp, 0)`, direction);
    const rows = await q.orderBy('log_stream', direction).execute();
    return rows.map(toStreamInfo);
  }

  async getEvents(group: string, stream: string, query: LogEventQuery): Promise<StoredLogEvent[]> {
    let q = this.db
      .selectFrom('log_events')
      .selectAll()
      .where('log_group', '=', group)
      .where('log_stream', '=', stream);
    // GetLogEvents' window is [startTime, endTime).
    if (query.startTime !== undefined) q = q.where('timestamp', '>=', query.startTime);
    if (query.endTime !== undefined) q = q.where('timestamp', '<', query.endTime);
    if (query.afterId !== undefined) q = q.where('id', '>', query.afterId);
    if (query.beforeId !== undefined) q = q.where('id', '<', query.beforeId);
    const rows = await q
      .orderBy('id', query.fromHead ? 'asc' : 'desc')
      .limit(query.limit)
      .execute();
    if (!query.fromHead) rows.reverse();
    return rows.map(toStoredEvent);
  }

  async filterEvents(group: string, query: FilterEventsQuery): Promise<StoredLogEvent[]> {
    if (query.streams !== undefined && query.streams.length === 0) return [];
    let q = this.db.selectFrom('log_events').selectAll().where('log_group', '=', group);
    if (query.streams !== undefined) q = q.where('log_stream', 'in', [...query.streams]);
    if (query.streamPrefix !== undefined && query.streamPrefix !== '') {
      q = q.where(hasPrefix('log_stream', query.streamPrefix));
    }
    // FilterLogEvents' window is [startTime, endTime]: its endTime is inclusive.
    if (query.startTime !== undefined) q = q.where('timestamp', '>=', query.startTime);
    if (query.endTime !== undefined) q = q.where('timestamp', '<=', query.endTime);
    if (query.afterId !== undefined) q = q.where('id', '>', query.afterId);
    const rows = await q.orderBy('id').limit(query.limit).execute();
    return rows.map(toStoredEvent);
  }
}

/**
 * Case-sensitive prefix match (CloudWatch's), written with substr so it means the same on both
 * dialects: SQLite's LIKE ignores case. Both count characters, hence code points here.
 */
function hasPrefix(column: 'log_stream', prefix: string) {
  return sql<boolean>`substr(${sql.ref(column)}, 1, ${[...prefix].length}) = ${prefix}`;
}

function toStreamInfo(row: Selectable<LogStreamsTable>): LogStreamInfo {
  const first = toOptionalNumber(row.first_event_timestamp);
  const last = toOptionalNumber(row.last_event_timestamp);
  const ingested = toOptionalNumber(row.last_ingestion_time);
  return {
    logStreamName: row.log_stream,
    creationTime: toNumber(row.creation_time),
    ...(first !== undefined && { firstEventTimestamp: first }),
    ...(last !== undefined && { lastEventTimestamp: last }),
    ...(ingested !== undefined && { lastIngestionTime: ingested }),
    storedBytes: toNumber(row.stored_bytes),
  };
}

function toStoredEvent(row: Selectable<LogEventsTable>): StoredLogEvent {
  return {
    id: toNumber(row.id),
    logStreamName: row.log_stream,
    timestamp: toNumber(row.timestamp),
    ingestionTime: toNumber(row.ingestion_time),
    message: row.message,
  };
}
