import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Booster } from './booster.js';
import { latestCheckpoint, saveCheckpoint } from './checkpoints.js';
import { evaluateCustomMetric } from './custom-metrics.js';
import { type ChannelData, readChannel } from './data.js';
import { DMatrix, type LabelledData } from './dmatrix.js';
import { EarlyStopping, parseEvalLine, pythonFloatString } from './early-stopping.js';
import { ClientError, failureReason } from './errors.js';
import { validateHyperparameters, type XgboostConfig } from './hyperparameters.js';
import { mlPaths, readJobConfig } from './job-config.js';
import { loadLibXgboost, XgboostError, xgboostVersion } from './libxgboost.js';

/** The model file name SageMaker's XGBoost container writes (and its serving code loads). */
export const MODEL_FILE = 'xgboost-model';

/** Hooks for the training loop; defaults print to stdout and use every core. */
export interface TrainOptions {
  /** Polled after every round: true once a stop (SIGTERM) was requested. */
  readonly shouldStop?: () => boolean;
  /** Receives informational log lines. */
  readonly log?: (line: string) => void;
  /** Receives each round's eval line (TABs included). */
  readonly evalLine?: (line: string) => void;
  readonly cores?: number;
}

/** How a training run ended. */
export interface TrainResult {
  readonly status: 'Completed' | 'Stopped';
  /** Rounds in the saved model. */
  readonly rounds: number;
  readonly lastEvalLine?: string;
  readonly bestIteration?: number;
  readonly bestScore?: number;
  /** Undefined when nothing was saved (stopped before the first round). */
  readonly modelPath?: string;
}

/** libxgboost messages caused by the data, reported as ClientError like the container's CUSTOMER_ERRORS. */
const DATA_ERRORS = [
  /label must be/i,
  /label set cannot be empty/i,
  /Label contains NaN/i,
  /base_score must be/i,
  /Input data contains `inf`/,
];

/**
 * Runs one SageMaker-style XGBoost training job on an `/opt/ml`-shaped directory: validates the
 * hyperparameters, loads `train` (and `validation`), boosts `num_round` rounds printing each
 * round's eval line, applies early stopping, and writes `<mlRoot>/model/xgboost-model`.
 * Throws ClientError for the submitter's mistakes and other errors for library failures.
 */
export async function trainXgboost(mlRoot: string, options: TrainOptions = {}): Promise<TrainResult> {
  const log = options.log ?? ((l: string) => process.stdout.write(`${stamp()}${l}\n`));
  const printEval = options.evalLine ?? ((l: string) => process.stdout.write(`${l}\n`));
  const shouldStop = options.shouldStop ?? (() => false);
  const cores = options.cores ?? availableParallelism();
  const paths = mlPaths(mlRoot);

  const job = await readJobConfig(mlRoot);
  const config = validateHyperparameters(job.hyperparameters, cores);
  const lib = loadLibXgboost();
  log(`libxgboost ${xgboostVersion(lib)} loaded from ${lib.path}`);

  const hasValidation = 'validation' in job.inputDataConfig || existsSync(paths.data('validation'));
  if (!existsSync(paths.data('train'))) throw new ClientError(`Missing required channel 'train'`);
  if (config.earlyStoppingRounds !== undefined && !hasValidation) {
    throw new ClientError(`Hyperparameter 'early_stopping_rounds' requires a 'validation' channel`);
  }
  for (const name of Object.keys(job.inputDataConfig)) {
    if (name !== 'train' && name !== 'validation')
      log(`Channel '${name}' is not used by the XGBoost algorithm`);
  }
  const load = async (channel: string): Promise<ChannelData> => {
    const data = await readChannel(paths.data(channel), channel, job.inputDataConfig[channel]?.ContentType, {
      csvWeights: config.csvWeights,
    });
    const how = data.sniffed ? 'detected from the data, no ContentType given' : 'from ContentType';
    log(`Channel '${channel}': ${data.format} (${how}), ${data.files.length} file(s)`);
    log(`Channel '${channel}': ${data.features.rows} rows x ${data.features.cols} feature columns`);
    return data;
  };
  const train = await load('train');
  const validation = hasValidation ? await load('validation') : undefined;
  if (validation && train.format === 'csv' && validation.features.cols !== train.features.cols) {
    throw new ClientError(
      `The 'validation' channel has ${validation.features.cols} feature columns, 'train' has ${train.features.cols}`,
    );
  }
  const widen = (d: LabelledData, cols: number): LabelledData =>
    d.features.kind === 'csr' ? { ...d, features: { ...d.features, cols } } : d;
  const cols = Math.max(train.features.cols, validation?.features.cols ?? 0);

  const handles: { free(): void }[] = [];
  try {
    const dtrain = DMatrix.from(widen(train, cols), cores, lib);
    handles.push(dtrain);
    const sets: [DMatrix, string, LabelledData][] = [[dtrain, 'train', train]];
    if (validation) {
      const dvalid = DMatrix.from(widen(validation, cols), cores, lib);
      handles.push(dvalid);
      sets.push([dvalid, 'validation', validation]);
    }
    const booster = Booster.create(
      sets.map(([m]) => m),
      [],
      lib,
    );
    handles.push(booster);
    let start = 0;
    const checkpoint = job.checkpointDir ? await latestCheckpoint(job.checkpointDir) : undefined;
    if (checkpoint) {
      booster.loadModel(checkpoint.path);
      start = checkpoint.iteration + 1;
      log(`Checkpoint loaded from ${checkpoint.path}; resuming from iteration ${start}`);
    }
    for (const [k, v] of config.params) booster.setParam(k, v);
    log(`Parameters: ${config.params.map(([k, v]) => `${k}=${v}`).join(', ')}; num_round=${config.numRound}`);
    if (job.checkpointDir) await mkdir(job.checkpointDir, { recursive: true });

    const early = config.earlyStoppingRounds ? new EarlyStopping(config.earlyStoppingRounds) : undefined;
    let lastEvalLine: string | undefined;
    let rounds = start;
    let status: TrainResult['status'] = 'Completed';
    for (let i = start; i < config.numRound; i++) {
      if (shouldStop()) {
        status = 'Stopped';
        break;
      }
      try {
        booster.updateOneIter(i, dtrain);
      } catch (e) {
        throw asClientErrorIfData(e);
      }
      rounds = i + 1;
      const line =
        booster.evalOneIter(
          i,
          sets.map(([m, n]) => [m, n] as const),
        ) + customMetrics(booster, sets, config);
      lastEvalLine = line;
      printEval(asEvaluationMonitorLine(line));
      if (job.checkpointDir) await saveCheckpoint(booster, job.checkpointDir, i);
      if (early?.update(i, parseEvalLine(line))) {
        log(
          `Early stopping: ${early.metric} did not improve for ${config.earlyStoppingRounds} rounds; best iteration ${early.bestIteration}`,
        );
        break;
      }
      // Lets a SIGTERM handler run between rounds.
      await new Promise(setImmediate);
    }
    if (status === 'Completed' && shouldStop()) status = 'Stopped';

    if (early?.bestIteration !== undefined && early.bestScore !== undefined) {
      // What Python's xgboost.train (EarlyStopping callback) stores with the model.
      booster.setAttr('best_iteration', String(early.bestIteration));
      booster.setAttr('best_score', pythonFloatString(early.bestScore));
      booster.setAttr('best_ntree_limit', String((early.bestIteration + 1) * config.numParallelTree));
    }
    let modelPath: string | undefined;
    const keep = status === 'Completed' || (rounds > 0 && config.saveModelOnTermination !== false);
    if (keep) {
      await mkdir(paths.model, { recursive: true });
      modelPath = join(paths.model, MODEL_FILE);
      const tmp = join(paths.model, `.${MODEL_FILE}.tmp`);
      booster.saveModel(tmp);
      await rename(tmp, modelPath);
      log(
        `${status === 'Stopped' ? 'Stop requested: saved' : 'Saved'} the model (${rounds} rounds) to ${modelPath}`,
      );
    } else {
      log('Stop requested before any model could be saved');
    }
    return {
      status,
      rounds,
      lastEvalLine,
      bestIteration: early?.bestIteration,
      bestScore: early?.bestScore,
      modelPath,
    };
  } finally {
    for (const h of handles.reverse()) h.free();
  }
}

/**
 * The child-process contract: runs the job, and on failure writes `<mlRoot>/output/failure`
 * (`ClientError: ...` or `AlgorithmError: ...`, at most 1024 characters). Returns the exit code:
 * 0 on completion or stop, 1 on failure.
 */
export async function runXgboostTrainingJob(mlRoot: string, options: TrainOptions = {}): Promise<number> {
  try {
    await trainXgboost(mlRoot, options);
    return 0;
  } catch (e) {
    const reason = failureReason(e);
    process.stderr.write(`${stamp('ERROR')}${reason}\n`);
    if (!(e instanceof ClientError) && !(e instanceof XgboostError) && e instanceof Error && e.stack) {
      process.stderr.write(`${e.stack}\n`);
    }
    const paths = mlPaths(mlRoot);
    await mkdir(paths.output, { recursive: true });
    await writeFile(paths.failure, reason);
    return 1;
  }
}

function customMetrics(
  booster: Booster,
  sets: [DMatrix, string, LabelledData][],
  config: XgboostConfig,
): string {
  if (config.customMetrics.length === 0) return '';
  let out = '';
  for (const [m, name, data] of sets) {
    const preds = booster.predict(m);
    for (const metric of config.customMetrics) {
      out += `\t${name}-${metric}:${evaluateCustomMetric(metric, preds, data.labels, config.numClass)}`;
    }
  }
  return out;
}

/**
 * The eval line as Python xgboost 1.7's EvaluationMonitor prints it (what SageMaker's
 * container logs): every score with 5 decimals. Early stopping still sees full precision.
 */
export function asEvaluationMonitorLine(line: string): string {
  return line.replace(/(\t[^\t:]+):([^\t]+)/g, (whole, name: string, value: string) => {
    const n = Number(value);
    return Number.isFinite(n) ? `${name}:${n.toFixed(5)}` : whole;
  });
}

function asClientErrorIfData(e: unknown): unknown {
  if (e instanceof XgboostError && DATA_ERRORS.some((p) => p.test(e.message)))
    return new ClientError(e.message);
  return e;
}

/** The container's log prefix, `[2024-05-01:12:00:00:INFO] `. */
function stamp(level = 'INFO'): string {
  const d = new Date().toISOString();
  return `[${d.slice(0, 10)}:${d.slice(11, 19)}:${level}] `;
}
