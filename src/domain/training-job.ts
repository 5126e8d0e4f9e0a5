/** Training jobs as Lathe stores them. Times are epoch milliseconds; the API turns them into seconds. */

export const trainingJobStatuses = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'] as const;
export type TrainingJobStatus = (typeof trainingJobStatuses)[number];

export type SecondaryStatus =
  | 'Starting'
  | 'Pending'
  | 'Downloading'
  | 'Training'
  | 'Uploading'
  | 'Interrupted'
  | 'Restarting'
  | 'Stopping'
  | 'Stopped'
  | 'MaxRuntimeExceeded'
  | 'Completed'
  | 'Failed';

export interface SecondaryStatusTransition {
  readonly Status: SecondaryStatus;
  readonly StartTime: number;
  readonly EndTime?: number;
  readonly StatusMessage: string;
}

export interface MetricValue {
  readonly MetricName: string;
  readonly Value: number;
  readonly Timestamp: number;
}

export interface MetricDefinition {
  readonly Name: string;
  readonly Regex: string;
}

/** The stored job. `request` is the validated CreateTrainingJob input (without Tags). */
export interface TrainingJobRecord {
  readonly name: string;
  readonly arn: string;
  readonly status: TrainingJobStatus;
  readonly secondaryStatus: SecondaryStatus;
  readonly failureReason?: string;
  readonly request: Readonly<Record<string, unknown>>;
  readonly creationTime: number;
  readonly lastModifiedTime: number;
  readonly trainingStartTime?: number;
  readonly trainingEndTime?: number;
  readonly transitions: readonly SecondaryStatusTransition[];
  readonly finalMetrics: readonly MetricValue[];
  readonly modelArtifacts?: string;
  /** How many times execution started (a server restart mid-job starts it again). */
  readonly attempts: number;
  readonly stopRequested: boolean;
  /** The job process while it runs, so a restarted server can end an orphan. */
  readonly workerPid?: number;
}

export type TrainingJobPatch = Partial<Omit<TrainingJobRecord, 'name' | 'arn' | 'request' | 'creationTime'>>;

export const terminalStatuses: ReadonlySet<TrainingJobStatus> = new Set(['Completed', 'Failed', 'Stopped']);
