import { xgboostMetricDefinitions } from '../algorithms/xgboost/metric-definitions.js';
import { type ArnScope, sagemakerArn } from '../domain/arn.js';
import {
  type MetricDefinition,
  type SecondaryStatusTransition,
  type TrainingJobRecord,
  terminalStatuses,
} from '../domain/training-job.js';
import { AwsError, validationError } from '../errors/aws-error.js';
import type { JobQueue } from '../ports/job-queue.js';
import type { MetadataStore, Tag, TrainingJobQuery } from '../ports/metadata-store.js';
import { resolveTrainingImage, type TrainingRuntime } from '../runtimes/resolve-image.js';

/** What CreateTrainingJob needs from the request, already shape-validated by the API. */
export interface NewTrainingJob {
  readonly TrainingJobName: string;
  readonly AlgorithmSpecification: {
    readonly TrainingImage?: string;
    readonly AlgorithmName?: string;
    readonly TrainingInputMode: string;
    readonly MetricDefinitions?: readonly MetricDefinition[];
  };
  readonly HyperParameters?: Readonly<Record<string, string>>;
  readonly InputDataConfig?: readonly { readonly ChannelName: string; readonly InputMode?: string }[];
  readonly ResourceConfig: { readonly InstanceCount?: number };
  readonly Tags?: readonly Tag[];
  readonly [member: string]: unknown;
}

export interface TrainingJobServiceDeps {
  readonly store: MetadataStore;
  readonly queue: JobQueue;
  readonly scope: ArnScope;
  readonly now: () => number;
  /** Asks the runner to stop a job that is executing; false when it is not running here. */
  readonly stopRunning: (jobName: string) => boolean;
}

export type TrainingJobService = ReturnType<typeof createTrainingJobService>;

/** Ends the open transition and appends a new one. */
export function withTransition(
  transitions: readonly SecondaryStatusTransition[],
  status: SecondaryStatusTransition['Status'],
  message: string,
  at: number,
  terminal = false,
): SecondaryStatusTransition[] {
  const closed = transitions.map((t) => (t.EndTime === undefined ? { ...t, EndTime: at } : t));
  return [
    ...closed,
    { Status: status, StartTime: at, StatusMessage: message, ...(terminal ? { EndTime: at } : {}) },
  ];
}

export function runtimeOf(job: Pick<TrainingJobRecord, 'request'>): TrainingRuntime {
  const request = job.request as unknown as NewTrainingJob;
  const resolved = resolveTrainingImage(
    request.AlgorithmSpecification.TrainingImage ?? '',
    request.HyperParameters ?? {},
  );
  if (!resolved.ok) throw validationError(resolved.reason);
  return resolved.runtime;
}

/** The user's metric definitions plus, for built-in algorithms, the algorithm's own. */
export function metricDefinitionsFor(job: TrainingJobRecord, runtime: TrainingRuntime): MetricDefinition[] {
  const own = (job.request as unknown as NewTrainingJob).AlgorithmSpecification.MetricDefinitions ?? [];
  if (runtime.kind !== 'xgboost-builtin') return [...own];
  const names = new Set(own.map((d) => d.Name));
  return [...own, ...xgboostMetricDefinitions().filter((d) => !names.has(d.Name))];
}

function checkRunnable(input: NewTrainingJob): void {
  const spec = input.AlgorithmSpecification;
  if (!spec.TrainingImage) {
    throw validationError(
      spec.AlgorithmName
        ? `AlgorithmSpecification.AlgorithmName '${spec.AlgorithmName}' cannot run here: Lathe has no algorithm resources yet; give AlgorithmSpecification.TrainingImage instead.`
        : 'AlgorithmSpecification.TrainingImage is required.',
    );
  }
  const resolved = resolveTrainingImage(spec.TrainingImage, input.HyperParameters ?? {});
  if (!resolved.ok) throw validationError(resolved.reason);
  const count = input.ResourceConfig.InstanceCount ?? 1;
  if (count !== 1) {
    throw validationError(
      `ResourceConfig.InstanceCount ${count} is not supported: Lathe runs each training job on one instance (algo-1).`,
    );
  }
  const pipeChannel = [
    spec.TrainingInputMode,
    ...(input.InputDataConfig ?? []).map((c) => c.InputMode ?? ''),
  ].includes('Pipe');
  if (pipeChannel)
    throw validationError('TrainingInputMode Pipe is not supported yet; use File or FastFile.');
  const names = (input.InputDataConfig ?? []).map((c) => c.ChannelName);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw validationError(`InputDataConfig has two channels named '${dup}'.`);
}

/** Training-job use cases: create, describe, list, stop, and recovery after a restart. */
export function createTrainingJobService(deps: TrainingJobServiceDeps) {
  const { store, queue, scope, now } = deps;

  async function get(name: string): Promise<TrainingJobRecord> {
    const job = await store.trainingJobs.get(name);
    if (!job) throw validationError('Requested resource not found.');
    return job;
  }

  return {
    async create(input: NewTrainingJob): Promise<TrainingJobRecord> {
      checkRunnable(input);
      const at = now();
      const { Tags, ...request } = input;
      const job: TrainingJobRecord = {
        name: input.TrainingJobName,
        arn: sagemakerArn(scope, 'training-job', input.TrainingJobName),
        status: 'InProgress',
        secondaryStatus: 'Starting',
        request,
        creationTime: at,
        lastModifiedTime: at,
        transitions: withTransition([], 'Starting', 'Preparing the instances for training', at),
        finalMetrics: [],
        attempts: 0,
        stopRequested: false,
      };
      if (!(await store.trainingJobs.create(job))) {
        throw new AwsError('ResourceInUse', `Training job ${job.arn} already exists.`);
      }
      if (Tags?.length) await store.tags.add(job.arn, Tags);
      queue.enqueue(job.name);
      const ahead = queue.waiting().indexOf(job.name);
      if (ahead >= 0) {
        // Every instance is busy: say so, as SageMaker does while it waits for capacity.
        return store.trainingJobs.update(job.name, {
          secondaryStatus: 'Pending',
          transitions: withTransition(
            job.transitions,
            'Pending',
            `Waiting for a free instance: ${ahead + 1} job(s) queued, LATHE_MAX_CONCURRENT_JOBS running.`,
            now(),
          ),
        });
      }
      return job;
    },

    get,

    async list(query: TrainingJobQuery): Promise<TrainingJobRecord[]> {
      return store.trainingJobs.list(query);
    },

    async stop(name: string): Promise<void> {
      const job = await get(name);
      if (terminalStatuses.has(job.status) || job.status === 'Stopping') {
        throw validationError(
          `The request was rejected because the training job is in status ${job.status}.`,
        );
      }
      const at = now();
      if (queue.remove(name)) {
        await store.trainingJobs.update(name, {
          status: 'Stopped',
          secondaryStatus: 'Stopped',
          stopRequested: true,
          lastModifiedTime: at,
          trainingEndTime: at,
          transitions: withTransition(
            job.transitions,
            'Stopped',
            'The job was stopped before it started.',
            at,
            true,
          ),
        });
        return;
      }
      await store.trainingJobs.update(name, {
        status: 'Stopping',
        secondaryStatus: 'Stopping',
        stopRequested: true,
        lastModifiedTime: at,
        transitions: withTransition(job.transitions, 'Stopping', 'Stopping the training job', at),
      });
      deps.stopRunning(name);
    },

    /**
     * After a restart: jobs that were stopping end Stopped; jobs that were running start
     * again from the beginning (their checkpoints are restored), at most three attempts.
     */
    async recover(maxAttempts = 3): Promise<{ restarted: string[]; ended: string[] }> {
      const unfinished = await store.trainingJobs.list({
        statusIn: ['InProgress', 'Stopping'],
        sortBy: 'CreationTime',
        sortOrder: 'Ascending',
      });
      const restarted: string[] = [];
      const ended: string[] = [];
      for (const job of unfinished) {
        const at = now();
        if (job.status === 'Stopping' || job.stopRequested) {
          await store.trainingJobs.update(job.name, {
            status: 'Stopped',
            secondaryStatus: 'Stopped',
            lastModifiedTime: at,
            trainingEndTime: at,
            transitions: withTransition(
              job.transitions,
              'Stopped',
              'Stopped while Lathe was restarting.',
              at,
              true,
            ),
          });
          ended.push(job.name);
        } else if (job.attempts >= maxAttempts) {
          const reason = `InternalServerError: Lathe restarted ${job.attempts} times while the job was running; giving up.`;
          await store.trainingJobs.update(job.name, {
            status: 'Failed',
            secondaryStatus: 'Failed',
            failureReason: reason,
            lastModifiedTime: at,
            trainingEndTime: at,
            transitions: withTransition(job.transitions, 'Failed', reason, at, true),
          });
          ended.push(job.name);
        } else {
          if (job.attempts > 0) {
            await store.trainingJobs.update(job.name, {
              secondaryStatus: 'Restarting',
              lastModifiedTime: at,
              transitions: withTransition(
                job.transitions,
                'Restarting',
                'Lathe restarted while the job was running; starting it again (checkpoints are restored).',
                at,
              ),
            });
          }
          queue.enqueue(job.name);
          restarted.push(job.name);
        }
      }
      return { restarted, ended };
    },
  };
}
