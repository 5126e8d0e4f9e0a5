import type {
  MetricValue,
  TrainingJobPatch,
  TrainingJobRecord,
  TrainingJobStatus,
} from '../domain/training-job.js';

/**
 * The metadata store port, one sub-store per aggregate. Every write is durable once its
 * promise resolves (it survives `kill -9` of the server). SQLite and PostgreSQL adapters
 * pass `src/testing/metadata-store-conformance.ts`.
 */
export interface MetadataStore {
  readonly trainingJobs: TrainingJobStore;
  readonly tags: TagStore;
  readonly logs: LogStore;
  readonly metrics: MetricStore;
  close(): Promise<void>;
}

export interface TrainingJobQuery {
  readonly nameContains?: string;
  readonly statusEquals?: TrainingJobStatus;
  readonly statusIn?: readonly TrainingJobStatus[];
  readonly creationTimeAfter?: number;
  readonly creationTimeBefore?: number;
  readonly lastModifiedTimeAfter?: number;
  readonly lastModifiedTimeBefore?: number;
  readonly sortBy?: 'Name' | 'CreationTime' | 'Status';
  readonly sortOrder?: 'Ascending' | 'Descending';
  readonly offset?: number;
  readonly limit?: number;
}

export interface TrainingJobStore {
  /** Returns false (and writes nothing) when a job of that name exists. */
  create(job: TrainingJobRecord): Promise<boolean>;
  get(name: string): Promise<TrainingJobRecord | undefined>;
  /** Applies the patch atomically and returns the new record; throws if the job is absent. */
  update(name: string, patch: TrainingJobPatch): Promise<TrainingJobRecord>;
  list(query: TrainingJobQuery): Promise<TrainingJobRecord[]>;
}

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface TagStore {
  /** Adds or overwrites tags of a resource. */
  add(resourceArn: string, tags: readonly Tag[]): Promise<void>;
  list(resourceArn: string): Promise<Tag[]>;
  remove(resourceArn: string, keys: readonly string[]): Promise<void>;
}

export interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
}

export interface StoredLogEvent extends LogEvent {
  /** Monotonic per store; pagination tokens are built from it. */
  readonly id: number;
  readonly logStreamName: string;
  readonly ingestionTime: number;
}

export interface LogStreamInfo {
  readonly logStreamName: string;
  readonly creationTime: number;
  readonly firstEventTimestamp?: number;
  readonly lastEventTimestamp?: number;
  readonly lastIngestionTime?: number;
  readonly storedBytes: number;
}

export interface LogEventQuery {
  readonly startTime?: number;
  readonly endTime?: number;
  /** Exclusive id bounds, for paging forward (afterId) or backward (beforeId). */
  readonly afterId?: number;
  readonly beforeId?: number;
  /** true: oldest first; false: the newest `limit` events (still returned oldest first). */
  readonly fromHead: boolean;
  readonly limit: number;
}

export interface LogStore {
  /** Creates the stream (and its group) if absent. */
  createStream(group: string, stream: string, creationTime: number): Promise<void>;
  append(group: string, stream: string, events: readonly LogEvent[]): Promise<void>;
  listStreams(
    group: string,
    options: { prefix?: string; orderBy: 'LogStreamName' | 'LastEventTime'; descending: boolean },
  ): Promise<LogStreamInfo[]>;
  getEvents(group: string, stream: string, query: LogEventQuery): Promise<StoredLogEvent[]>;
  /** Events of many streams (all when `streams` is absent), oldest first, for FilterLogEvents. */
  filterEvents(
    group: string,
    query: {
      streams?: readonly string[];
      streamPrefix?: string;
      startTime?: number;
      endTime?: number;
      afterId?: number;
      limit: number;
    },
  ): Promise<StoredLogEvent[]>;
}

export interface MetricStore {
  append(jobName: string, points: readonly MetricValue[]): Promise<void>;
  series(jobName: string, metricName?: string): Promise<MetricValue[]>;
}
