import { sagemakerArn } from '../domain/arn.js';
import { type ModelDefinition, modelDataOf, servedContainer } from '../domain/model.js';
import {
  finalStatus,
  type TransformJobRecord,
  type TransformJobRequest,
  type TransformJobState,
  type TransformJobStatus,
  type TransformModel,
  type TransformOutcome,
  transformEnvironment,
  transformProblem,
} from '../domain/transform-job.js';
import { AwsError, validationError } from '../errors/aws-error.js';
import type { Logger } from '../ports/logger.js';
import type { ResourceQuery, StoredResource, Tag } from '../ports/metadata-store.js';
import { type InferenceStoreDeps, modelNotFound } from './models.js';
import { arnExists, createUnique, withStatus } from './unique-resource.js';

/**
 * Runs one transform job to its end (the worker's transform runner). Resolves once every output
 * is written; rejects with an Error whose message is the FailureReason. When `signal` aborts
 * (StopTransformJob, shutdown) it ends promptly and removes what it deployed.
 */
export interface TransformExecutor {
  run(job: TransformJobRecord, signal: AbortSignal): Promise<void>;
}

export interface TransformJobServiceDeps extends InferenceStoreDeps {
  readonly executor: TransformExecutor;
  readonly logger?: Logger;
}

/** CreateTransformJob's request, shape-validated by the API. */
export interface NewTransformJob extends TransformJobRequest {
  readonly Tags?: readonly Tag[];
}

type Stored = StoredResource<TransformJobState>;

/** SageMaker's answer for a transform job that does not exist. */
export function transformJobNotFound(name: string) {
  return validationError(`Could not find requested job with name ${name}`);
}

function toRecord(r: Stored): TransformJobRecord {
  return withStatus<Stored['record'], TransformJobStatus>(r);
}

/** The model's container as the job deploys it, or a ValidationException. */
function transformModel(
  name: string,
  arn: string,
  definition: ModelDefinition,
  request: TransformJobRequest,
) {
  const container = servedContainer(definition);
  if (!container?.Image) throw validationError(`Model "${arn}" has no container image.`);
  const data = modelDataOf(container, 'ModelName');
  if (!data.ok) throw validationError(data.problem);
  const model: TransformModel = {
    modelName: name,
    image: container.Image,
    ...(data.data ? { modelDataUrl: data.data.url, compression: data.data.compression } : {}),
    environment: transformEnvironment(container.Environment ?? {}, request),
  };
  return model;
}

/**
 * CreateTransformJob, DescribeTransformJob, ListTransformJobs, StopTransformJob, and recovery
 * at server start. A job executes in this process, started (not awaited) by Create; its status
 * changes when the execution settles.
 */
export function createTransformJobService(deps: TransformJobServiceDeps) {
  const { resources, scope, now, executor, logger } = deps;
  const arnOf = (name: string) => sagemakerArn(scope, 'transform-job', name);
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let closed = false;

  async function getStored(name: string): Promise<Stored> {
    const found = await resources.get<TransformJobState>('transform-job', name);
    if (!found) throw transformJobNotFound(name);
    return found;
  }

  async function record(name: string, outcome: TransformOutcome): Promise<void> {
    if (closed) return; // shutting down: recover() settles the job at the next start
    if (outcome.kind === 'failed')
      logger?.warn('transform job failed', { job: name, reason: outcome.reason });
    const { status, failureReason } = finalStatus(outcome);
    const at = now();
    try {
      await resources.update<TransformJobState>('transform-job', name, (cur) => ({
        ...cur,
        status,
        lastModifiedTime: at,
        record: {
          ...cur.record,
          transformEndTime: at,
          ...(failureReason === undefined ? {} : { failureReason }),
        },
      }));
    } catch (e) {
      logger?.error('could not record the end of a transform job', { job: name, error: String(e) });
    }
  }

  function launch(job: TransformJobRecord): void {
    const controller = new AbortController();
    const done = executor
      .run(job, controller.signal)
      .then(
        (): TransformOutcome => (controller.signal.aborted ? { kind: 'stopped' } : { kind: 'completed' }),
        (e: unknown): TransformOutcome =>
          controller.signal.aborted
            ? { kind: 'stopped' }
            : { kind: 'failed', reason: e instanceof Error ? e.message : String(e) },
      )
      .then((outcome) => record(job.name, outcome))
      .finally(() => running.delete(job.name));
    running.set(job.name, { controller, done });
  }

  return {
    async create(input: NewTransformJob): Promise<TransformJobRecord> {
      const { Tags, ...request } = input;
      const problem = transformProblem(request);
      if (problem) throw validationError(problem);
      const name = request.TransformJobName;
      const arn = arnOf(name);
      const stored = await createUnique(deps, {
        kind: 'transform-job',
        name,
        arn,
        exists: new AwsError(
          'ResourceInUse',
          `Job name must be unique within an AWS account and region, and a job with this name already exists (${arn})`,
        ),
        build: async (): Promise<Stored> => {
          const modelArn = sagemakerArn(scope, 'model', request.ModelName);
          const found = await resources.get<{ definition: ModelDefinition }>('model', request.ModelName);
          if (!found) throw modelNotFound(modelArn);
          const model = transformModel(found.name, modelArn, found.record.definition, request);
          const at = now();
          return {
            kind: 'transform-job',
            name,
            arn,
            status: 'InProgress',
            creationTime: at,
            lastModifiedTime: at,
            record: { request, model, transformStartTime: at },
          };
        },
        tags: Tags,
      });
      const job = toRecord(stored);
      launch(job);
      return job;
    },

    async get(name: string): Promise<TransformJobRecord> {
      return toRecord(await getStored(name));
    },

    async list(query: ResourceQuery): Promise<TransformJobRecord[]> {
      return (await resources.list<TransformJobState>('transform-job', query)).map(toRecord);
    },

    /** The job goes Stopping; in-flight work ends and it becomes Stopped. */
    async stop(name: string): Promise<void> {
      const current = toRecord(await getStored(name));
      const refuse = (status: TransformJobStatus) =>
        validationError(`The request was rejected because the transform job is in status ${status}.`);
      if (current.status !== 'InProgress') throw refuse(current.status);
      const run = running.get(name);
      const at = now();
      await resources.update<TransformJobState>('transform-job', name, (cur) => {
        if (cur.status !== 'InProgress') throw refuse((cur.status ?? 'Failed') as TransformJobStatus);
        // Not executing here (cannot happen after recover()): nothing to wait for.
        return run
          ? { ...cur, status: 'Stopping', lastModifiedTime: at }
          : {
              ...cur,
              status: 'Stopped',
              lastModifiedTime: at,
              record: { ...cur.record, transformEndTime: at },
            };
      });
      run?.controller.abort();
    },

    /** For the tag service: whether a transform job of this ARN exists. */
    async existsArn(arn: string): Promise<boolean> {
      return arnExists(resources, 'transform-job', arn);
    },

    /**
     * At server start, before requests: a job that was running fails (Lathe does not re-run it;
     * outputs it already wrote stay), a job that was stopping is Stopped.
     */
    async recover(): Promise<{ failed: string[]; stopped: string[] }> {
      const unfinished = await resources.list<TransformJobState>('transform-job', {
        statusIn: ['InProgress', 'Stopping'],
        sortBy: 'CreationTime',
        sortOrder: 'Ascending',
      });
      const failed: string[] = [];
      const stopped: string[] = [];
      for (const job of unfinished) {
        const at = now();
        const stopping = job.status === 'Stopping';
        const reason =
          'InternalServerError: Lathe restarted while the transform job was running; outputs already written stay. Create the job again under a new name to transform the rest.';
        await resources.update<TransformJobState>('transform-job', job.name, (cur) => ({
          ...cur,
          status: stopping ? 'Stopped' : 'Failed',
          lastModifiedTime: at,
          record: { ...cur.record, transformEndTime: at, ...(stopping ? {} : { failureReason: reason }) },
        }));
        (stopping ? stopped : failed).push(job.name);
      }
      return { failed, stopped };
    },

    /**
     * At shutdown, before the fleet stops: running jobs are aborted (their transient deployments
     * removed) and their end is not recorded; `recover()` fails them at the next start.
     */
    async close(): Promise<void> {
      closed = true;
      const all = [...running.values()];
      for (const r of all) r.controller.abort();
      await Promise.allSettled(all.map((r) => r.done));
    },

    /** Resolves once no job is executing (tests). */
    async idle(): Promise<void> {
      while (running.size > 0) await Promise.allSettled([...running.values()].map((r) => r.done));
    },
  };
}

export type TransformJobService = ReturnType<typeof createTransformJobService>;
