import type { ColumnType } from 'kysely';

/**
 * A 64-bit integer column (epoch milliseconds, byte counts, ids). better-sqlite3 reads it as a
 * number, node-postgres as a string (int8 can exceed 2^53), so reads go through `toNumber`.
 */
export type Int8 = ColumnType<number | string, number, number>;

/** An auto-assigned 64-bit id (identity / AUTOINCREMENT): optional on insert. */
export type Int8Id = ColumnType<number | string, number | undefined, number>;

/** One training job: the filterable fields as columns, the whole record as JSON in `record`. */
export interface TrainingJobsTable {
  name: string;
  arn: string;
  status: string;
  secondary_status: string;
  creation_time: Int8;
  last_modified_time: Int8;
  record: string;
}

export interface TagsTable {
  resource_arn: string;
  key: string;
  value: string;
}

export interface LogStreamsTable {
  log_group: string;
  log_stream: string;
  creation_time: Int8;
  first_event_timestamp: Int8 | null;
  last_event_timestamp: Int8 | null;
  last_ingestion_time: Int8 | null;
  stored_bytes: ColumnType<number | string, number | undefined, number>;
}

export interface LogEventsTable {
  id: Int8Id;
  log_group: string;
  log_stream: string;
  timestamp: Int8;
  ingestion_time: Int8;
  message: string;
}

export interface MetricsTable {
  id: Int8Id;
  job_name: string;
  metric_name: string;
  /** NULL stands for NaN: SQLite stores a NaN double as NULL, so we make that explicit. */
  value: number | null;
  timestamp: Int8;
}

/** A resource of some kind: the list columns, and the resource's own record as JSON in `record`. */
export interface ResourcesTable {
  kind: string;
  name: string;
  arn: string;
  status: string | null;
  creation_time: Int8;
  last_modified_time: Int8;
  record: string;
}

/** One work item; `seq` (insertion order) breaks ties between equal `enqueued_at`. */
export interface WorkItemsTable {
  seq: Int8Id;
  queue: string;
  id: string;
  payload: string;
  attempts: ColumnType<number, number | undefined, number>;
  enqueued_at: Int8;
  not_before: Int8;
  lease_owner: string | null;
  lease_until: Int8 | null;
}

/** One minute of one metric of one endpoint variant, merged as aggregates arrive. */
export interface EndpointMetricsTable {
  endpoint: string;
  variant: string;
  metric: string;
  minute: Int8;
  sum: number;
  count: Int8;
  min: number;
  max: number;
}

/** The metadata store's tables as Kysely sees them (see `migrations/` for the DDL). */
export interface MetadataDatabase {
  training_jobs: TrainingJobsTable;
  tags: TagsTable;
  log_streams: LogStreamsTable;
  log_events: LogEventsTable;
  metrics: MetricsTable;
  resources: ResourcesTable;
  work_items: WorkItemsTable;
  endpoint_metrics: EndpointMetricsTable;
}
