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
  readonly resources: ResourceStore;
  readonly workQueue: WorkQueueStore;
  readonly endpointMetrics: EndpointMetricStore;
  close(): Promise<void>;
}

/** The filters, order and page of a List* call, over records whose status is a `Status`. */
export interface ListQuery<Status extends string = string> {
  readonly nameContains?: string;
  readonly statusEquals?: Status;
  readonly statusIn?: readonly Status[];
  readonly creationTimeAfter?: number;
  readonly creationTimeBefore?: number;
  readonly lastModifiedTimeAfter?: number;
  readonly lastModifiedTimeBefore?: number;
  readonly sortBy?: 'Name' | 'CreationTime' | 'Status';
  readonly sortOrder?: 'Ascending' | 'Descending';
  readonly offset?: number;
  readonly limit?: number;
}

export type TrainingJobQuery = ListQuery<TrainingJobStatus>;

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

/**
 * Resources kept as one JSON record each plus a few indexed columns: models, endpoint
 * configurations, endpoints, transform jobs. Names are unique per kind.
 */
export type ResourceKind =
  | 'model'
  | 'endpoint-config'
  | 'endpoint'
  | 'transform-job'
  | 'scalable-target'
  | 'scaling-policy'
  | 'scaling-activity';

export interface StoredResource<T> {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly arn: string;
  /** The resource's status where it has one (EndpointStatus, TransformJobStatus). */
  readonly status?: string;
  readonly creationTime: number;
  readonly lastModifiedTime: number;
  readonly record: T;
}

export type ResourceQuery = ListQuery;

export interface ResourceStore {
  /** Returns false (and writes nothing) when a resource of that kind and name exists. */
  create<T>(resource: StoredResource<T>): Promise<boolean>;
  get<T>(kind: ResourceKind, name: string): Promise<StoredResource<T> | undefined>;
  /**
   * Atomic read-modify-write: `change` gets the current resource and returns the new one
   * (kind and name must not change). Throws AwsError ResourceNotFound when absent.
   */
  update<T>(
    kind: ResourceKind,
    name: string,
    change: (current: StoredResource<T>) => StoredResource<T>,
  ): Promise<StoredResource<T>>;
  /** Returns false when it was absent. */
  delete(kind: ResourceKind, name: string): Promise<boolean>;
  list<T>(kind: ResourceKind, query: ResourceQuery): Promise<StoredResource<T>[]>;
}

/**
 * A claim on one work item: what completing, renewing or releasing it must show. Every claim
 * increments `attempts`, so owner and attempts name this claim alone: a holder whose lease
 * expired and was claimed again (by anyone, itself included) can no longer settle the item.
 */
export interface WorkLease {
  readonly id: string;
  readonly owner: string;
  readonly attempts: number;
}

/** A durable work queue with leases, for asynchronous inference requests (and later jobs on agents). */
export interface WorkItem<T> extends WorkLease {
  readonly payload: T;
  readonly enqueuedAt: number;
}

export interface WorkQueueStore {
  /** Adds an item, runnable from `notBefore` (epoch ms, default now). Ids are unique per queue. */
  enqueue<T>(queue: string, id: string, payload: T, notBefore?: number): Promise<void>;
  /**
   * Leases up to `limit` runnable items (oldest first) to `owner` for `leaseMs`; an item whose
   * lease expired (its owner died) is runnable again. Increments `attempts`.
   */
  claim<T>(queue: string, owner: string, leaseMs: number, limit: number): Promise<WorkItem<T>[]>;
  /** Removes a finished item; false (and nothing changes) when `lease` no longer holds it. */
  complete(queue: string, lease: WorkLease): Promise<boolean>;
  /** Extends a held lease to `leaseMs` from now; false when `lease` no longer holds the item. */
  renew(queue: string, lease: WorkLease, leaseMs: number): Promise<boolean>;
  /**
   * Gives an item back, runnable again from `notBefore` (attempts stay counted); false when
   * `lease` no longer holds it.
   */
  release(queue: string, lease: WorkLease, notBefore?: number): Promise<boolean>;
  /** Items not yet completed (leased or not). */
  size(queue: string): Promise<number>;
}

/** Per-minute aggregates of endpoint metrics (Invocations, ModelLatency, …) per variant. */
export interface MetricAggregate {
  readonly endpoint: string;
  readonly variant: string;
  readonly metric: string;
  /** Start of the minute, epoch ms. */
  readonly minute: number;
  readonly sum: number;
  readonly count: number;
  readonly min: number;
  readonly max: number;
}

export interface EndpointMetricStore {
  /** Merges aggregates into what is stored for the same endpoint, variant, metric and minute. */
  add(aggregates: readonly MetricAggregate[]): Promise<void>;
  query(
    endpoint: string,
    options: { variant?: string; metric?: string; start: number; end: number },
  ): Promise<MetricAggregate[]>;
}
