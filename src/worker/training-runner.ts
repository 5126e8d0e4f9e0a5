import { cpus } from 'node:os';
import { join } from 'node:path';
import type { TrainingJobRecord } from '../domain/training-job.js';
import { type TrainingEnd, trainingOutcome } from '../domain/training-outcome.js';
import type { Executor, RunningProcess } from '../ports/executor.js';
import type { Logger } from '../ports/logger.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import type { ObjectStore } from '../ports/object-store.js';
import { type LaunchPlan, launchPlan } from '../runtimes/launch.js';
import type { TrainingRuntime } from '../runtimes/resolve-image.js';
import { decodeHyperParameter } from '../runtimes/script-environment.js';
import { metricDefinitionsFor, runtimeOf, withTransition } from '../services/training-jobs.js';
import { CheckpointSync } from './checkpoint-sync.js';
import { type JobWorkspace, prepareWorkspace, readFailureFile, workspaceOf } from './job-workspace.js';
import { LogCollector } from './log-collector.js';
import {
  downloadChannel,
  downloadFolder,
  downloadToFile,
  extractTarSafely,
  uploadDirectory,
  uploadTarGz,
} from './transfer.js';

export const trainingLogGroup = '/aws/sagemaker/TrainingJobs';

export interface TrainingRunnerDeps {
  readonly store: MetadataStore;
  readonly objects: ObjectStore;
  readonly executor: Executor;
  readonly logger: Logger;
  readonly dataDir: string;
  readonly region: string;
  readonly pythonPath: string;
  readonly stopGraceMs: number;
  /** How often a running job's checkpoint directory is synced to CheckpointConfig.S3Uri. */
  readonly checkpointSyncMs: number;
  readonly baseEnv: Readonly<Record<string, string>>;
  readonly now: () => number;
}

interface Running {
  proc?: RunningProcess;
  end?: 'stop-requested' | 'max-runtime';
}

/** A step failed because of the job's inputs (bad data location, archive, script path). */
class ClientProblem extends Error {}

type Channel = {
  ChannelName: string;
  ContentType?: string;
  InputMode?: string;
  RecordWrapperType?: string;
  DataSource: { S3DataSource: { S3DataType: string; S3Uri: string; S3DataDistributionType?: string } };
};

function configFiles(job: TrainingJobRecord, ws: JobWorkspace): Record<string, unknown> {
  const req = job.request as unknown as {
    AlgorithmSpecification: { TrainingInputMode: string };
    HyperParameters?: Record<string, string>;
    InputDataConfig?: Channel[];
    ResourceConfig: { InstanceType?: string };
    CheckpointConfig?: { S3Uri: string; LocalPath?: string };
  };
  const mode = req.AlgorithmSpecification.TrainingInputMode;
  const inputDataConfig = Object.fromEntries(
    (req.InputDataConfig ?? []).map((c) => [
      c.ChannelName,
      {
        ...(c.ContentType ? { ContentType: c.ContentType } : {}),
        TrainingInputMode: c.InputMode ?? mode,
        S3DistributionType: c.DataSource.S3DataSource.S3DataDistributionType ?? 'FullyReplicated',
        RecordWrapperType: c.RecordWrapperType ?? 'None',
      },
    ]),
  );
  const instanceType = req.ResourceConfig.InstanceType ?? 'local';
  const files: Record<string, unknown> = {
    'hyperparameters.json': req.HyperParameters ?? {},
    'inputdataconfig.json': inputDataConfig,
    'resourceconfig.json': {
      current_host: 'algo-1',
      hosts: ['algo-1'],
      network_interface_name: 'eth0',
      current_instance_type: instanceType,
      current_group_name: 'homogeneousCluster',
      current_instance_group: 'homogeneousCluster',
      instance_groups: [
        { instance_group_name: 'homogeneousCluster', instance_type: instanceType, hosts: ['algo-1'] },
      ],
    },
    'trainingjobconfig.json': { ...req, TrainingJobArn: job.arn },
  };
  if (req.CheckpointConfig) {
    files['checkpointconfig.json'] = { LocalPath: ws.checkpointsDir, S3Uri: req.CheckpointConfig.S3Uri };
  }
  return files;
}

/**
 * Executes training jobs: lays out the workspace, downloads channels, runs the runtime's
 * process, collects logs and metrics, uploads artifacts, and records the final status.
 */
export function createTrainingRunner(deps: TrainingRunnerDeps) {
  const { store, objects, logger, now } = deps;
  const running = new Map<string, Running>();
  let shuttingDown = false;

  async function transition(name: string, status: TrainingJobRecord['secondaryStatus'], message: string) {
    const job = (await store.trainingJobs.get(name))!;
    const at = now();
    return store.trainingJobs.update(name, {
      secondaryStatus: job.status === 'Stopping' ? job.secondaryStatus : status,
      lastModifiedTime: at,
      transitions:
        job.status === 'Stopping' ? job.transitions : withTransition(job.transitions, status, message, at),
    });
  }

  async function fetchSources(
    job: TrainingJobRecord,
    ws: JobWorkspace,
    runtime: TrainingRuntime,
    log: LogCollector,
  ) {
    const req = job.request as unknown as {
      InputDataConfig?: Channel[];
      CheckpointConfig?: { S3Uri: string };
      HyperParameters?: Record<string, string>;
    };
    for (const channel of req.InputDataConfig ?? []) {
      const dest = join(ws.dataDir, channel.ChannelName);
      const n = await downloadChannel(objects, channel.DataSource.S3DataSource, dest).catch((e: Error) => {
        throw new ClientProblem(
          `Data download failed for channel '${channel.ChannelName}' (${channel.DataSource.S3DataSource.S3Uri}): ${e.message}`,
        );
      });
      log.line(`Lathe: downloaded ${n} file(s) for channel '${channel.ChannelName}'`);
    }
    if (req.CheckpointConfig) {
      const n = await downloadFolder(objects, req.CheckpointConfig.S3Uri, ws.checkpointsDir).catch(
        (e: Error) => {
          throw new ClientProblem(
            `Could not restore checkpoints from ${req.CheckpointConfig?.S3Uri}: ${e.message}`,
          );
        },
      );
      if (n > 0) log.line(`Lathe: restored ${n} checkpoint file(s)`);
    }
    const submit = req.HyperParameters?.sagemaker_submit_directory;
    if (runtime.kind !== 'xgboost-builtin' && submit !== undefined) {
      const uri = String(decodeHyperParameter(submit));
      if (!uri.startsWith('s3://'))
        throw new ClientProblem(`sagemaker_submit_directory '${uri}' must be an s3:// URI`);
      const archive = join(ws.root, 'sourcedir.tar.gz');
      await downloadToFile(objects, uri, archive).catch((e: Error) => {
        throw new ClientProblem(`Could not download sagemaker_submit_directory ${uri}: ${e.message}`);
      });
      await extractTarSafely(archive, ws.codeDir).catch((e: Error) => {
        throw new ClientProblem(`Could not unpack sagemaker_submit_directory ${uri}: ${e.message}`);
      });
    }
  }

  async function execute(
    job: TrainingJobRecord,
    runtime: TrainingRuntime,
    ws: JobWorkspace,
    state: Running,
    log: LogCollector,
  ): Promise<TrainingEnd> {
    const req = job.request as unknown as {
      HyperParameters?: Record<string, string>;
      StoppingCondition: { MaxRuntimeInSeconds?: number };
      Environment?: Record<string, string>;
      ResourceConfig: { InstanceType?: string };
      InputDataConfig?: Channel[];
      CheckpointConfig?: { S3Uri: string };
    };
    const files = configFiles(job, ws);
    let plan: LaunchPlan;
    try {
      plan = launchPlan(
        runtime,
        {
          paths: { root: ws.root },
          jobName: job.name,
          jobArn: job.arn,
          region: deps.region,
          hyperParameters: req.HyperParameters ?? {},
          channels: (req.InputDataConfig ?? []).map((c) => c.ChannelName),
          inputDataConfig: files['inputdataconfig.json'] as Record<string, unknown>,
          resourceConfig: files['resourceconfig.json'] as Record<string, unknown>,
          instanceType: req.ResourceConfig.InstanceType ?? 'local',
          numCpus: cpus().length,
          userEnvironment: req.Environment ?? {},
        },
        { pythonPath: deps.pythonPath, baseEnv: deps.baseEnv },
      );
    } catch (e) {
      return { kind: 'client-error', message: (e as Error).message };
    }
    const maxRuntime = req.StoppingCondition.MaxRuntimeInSeconds ?? 86400;
    const checkpoints = req.CheckpointConfig
      ? new CheckpointSync(objects, ws.checkpointsDir, req.CheckpointConfig.S3Uri, (m) =>
          log.line(`Lathe: checkpoint upload failed: ${m}`),
        )
      : undefined;
    await checkpoints?.baseline();
    checkpoints?.start(deps.checkpointSyncMs);
    const stderr: string[] = [];
    const proc = deps.executor.start({
      ...plan,
      onLine: (line, stream) => {
        log.line(line);
        if (stream === 'stderr') {
          stderr.push(line);
          if (stderr.length > 10) stderr.shift();
        }
      },
    });
    state.proc = proc;
    await store.trainingJobs.update(job.name, { workerPid: proc.pid });
    const started = now();
    const remainingMs = Math.max(0, maxRuntime * 1000 - (started - (job.trainingStartTime ?? started)));
    const timer = setTimeout(() => {
      state.end ??= 'max-runtime';
      log.line(`Lathe: MaxRuntimeInSeconds (${maxRuntime}) exceeded; stopping the training process`);
      void proc.terminate(deps.stopGraceMs);
    }, remainingMs);
    if (state.end) void proc.terminate(deps.stopGraceMs);
    const exit = await proc.exited;
    clearTimeout(timer);
    if (checkpoints)
      log.line(`Lathe: ${await checkpoints.stop()} checkpoint file(s) in ${req.CheckpointConfig?.S3Uri}`);
    if (state.end === 'stop-requested') return { kind: 'stop-requested' };
    if (state.end === 'max-runtime') return { kind: 'max-runtime', seconds: maxRuntime };
    if (exit.spawnError) return { kind: 'spawn-failed', message: `${plan.command}: ${exit.spawnError}` };
    const failureFile = await readFailureFile(ws);
    const stderrTail = stderr.slice(-5).join(' | ').slice(0, 600);
    if (exit.code !== null) return { kind: 'exited', code: exit.code, failureFile, stderrTail };
    return { kind: 'signalled', signal: exit.signal ?? 'a signal', failureFile, stderrTail };
  }

  async function uploadArtifacts(job: TrainingJobRecord, ws: JobWorkspace): Promise<string | undefined> {
    const req = job.request as unknown as {
      OutputDataConfig: { S3OutputPath: string; CompressionType?: string };
    };
    const base = req.OutputDataConfig.S3OutputPath.replace(/\/+$/, '');
    const prefix = `${base}/${job.name}/output`;
    let modelUri: string;
    if (req.OutputDataConfig.CompressionType === 'NONE') {
      modelUri = `${prefix}/model/`;
      await uploadDirectory(objects, ws.modelDir, modelUri);
    } else {
      modelUri = `${prefix}/model.tar.gz`;
      await uploadTarGz(objects, ws.modelDir, modelUri);
    }
    await uploadTarGz(objects, ws.outputDataDir, `${prefix}/output.tar.gz`);
    return modelUri;
  }

  async function run(name: string): Promise<void> {
    let job = await store.trainingJobs.get(name);
    if (job?.status !== 'InProgress') return;
    const state: Running = {};
    running.set(name, state);
    const ws = workspaceOf(deps.dataDir, name);
    const startedAt = now();
    const stream = `${name}/algo-1-${Math.floor(startedAt / 1000)}`;
    let log: LogCollector | undefined;
    try {
      const runtime = runtimeOf(job);
      log = new LogCollector(store, name, trainingLogGroup, stream, metricDefinitionsFor(job, runtime), now);
      await store.logs.createStream(trainingLogGroup, stream, startedAt);
      const queued = job.secondaryStatus === 'Pending';
      job = await store.trainingJobs.update(name, {
        ...(queued
          ? {
              secondaryStatus: 'Starting' as const,
              transitions: withTransition(
                job.transitions,
                'Starting',
                'Preparing the instances for training',
                startedAt,
              ),
            }
          : {}),
        attempts: job.attempts + 1,
        trainingStartTime: job.trainingStartTime ?? startedAt,
        lastModifiedTime: startedAt,
      });
      let end: TrainingEnd | undefined;
      try {
        await prepareWorkspace(ws, configFiles(job, ws));
        await transition(name, 'Downloading', 'Downloading input data');
        await fetchSources(job, ws, runtime, log);
      } catch (e) {
        end =
          e instanceof ClientProblem
            ? { kind: 'client-error', message: e.message }
            : { kind: 'internal-error', message: (e as Error).message };
      }
      if (!end && state.end === 'stop-requested') end = { kind: 'stop-requested' };
      if (!end) {
        await transition(name, 'Training', 'Training image download completed. Training in progress.');
        end = await execute(job, runtime, ws, state, log);
      }
      await log.flush();
      if (shuttingDown) {
        // Left InProgress on purpose: the next start restarts it (see recover()).
        log.line('Lathe: the server is shutting down; the job will start again when it is back');
        await log.flush();
        return;
      }
      let modelArtifacts: string | undefined;
      const ran =
        end.kind === 'exited' ||
        end.kind === 'signalled' ||
        end.kind === 'stop-requested' ||
        end.kind === 'max-runtime';
      if (ran) {
        await transition(name, 'Uploading', 'Uploading generated training model');
        try {
          modelArtifacts = await uploadArtifacts(job, ws);
        } catch (e) {
          if (end.kind === 'exited' && end.code === 0) {
            end = {
              kind: 'client-error',
              message: `Could not upload the model artifacts: ${(e as Error).message}`,
            };
          }
          log.line(`Lathe: uploading artifacts failed: ${(e as Error).message}`);
        }
      }
      const outcome = trainingOutcome(end);
      log.line(`Lathe: ${outcome.message}`);
      await log.flush();
      const current = (await store.trainingJobs.get(name))!;
      const at = now();
      await store.trainingJobs.update(name, {
        status: outcome.status,
        secondaryStatus: outcome.secondaryStatus,
        failureReason: outcome.failureReason,
        modelArtifacts,
        finalMetrics: log.finalMetrics(),
        trainingEndTime: at,
        lastModifiedTime: at,
        workerPid: undefined,
        transitions: withTransition(current.transitions, outcome.secondaryStatus, outcome.message, at, true),
      });
      logger.info('training job finished', { job: name, status: outcome.status });
    } catch (e) {
      // Only a broken store gets here; leave the job for recovery at the next start.
      logger.error('training job runner failed', { job: name, error: (e as Error).message });
    } finally {
      running.delete(name);
    }
  }

  return {
    run,
    /** Stops a running job (SIGTERM, then SIGKILL after the grace period). */
    stop(name: string): boolean {
      const state = running.get(name);
      if (!state) return false;
      state.end ??= 'stop-requested';
      void state.proc?.terminate(deps.stopGraceMs);
      return true;
    },
    runningCount: () => running.size,
    /** Ends every job process for shutdown; the jobs stay InProgress and restart at the next start. */
    async stopAll(): Promise<void> {
      shuttingDown = true;
      await Promise.all(
        [...running.values()].map((s) => s.proc?.terminate(Math.min(deps.stopGraceMs, 10_000))),
      );
    },
  };
}
