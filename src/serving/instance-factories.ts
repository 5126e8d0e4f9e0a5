import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelSpec } from '../ports/endpoint-fleet.js';
import type { ObjectStore } from '../ports/object-store.js';
import { resolveServingImage } from '../runtimes/resolve-serving-image.js';
import { downloadToFile, extractTarSafely } from '../worker/transfer.js';
import { echoInlineLane, xgboostInlineLane } from './inline-lanes.js';
import type { InstanceFactory } from './instances/model-instance.js';
import { startProcessInstance } from './instances/process-instance.js';
import { startThreadInstance } from './instances/thread-instance.js';

/** Compiled worker entry points live in dist/, whether Lathe runs from dist/ or src/ (tests). */
export function servingWorkerEntry(name: string): string {
  return fileURLToPath(new URL(`../../dist/serving/workers/${name}.js`, import.meta.url));
}

const pythonServer = fileURLToPath(new URL('../../assets/python/lathe_serve.py', import.meta.url));

/** Where a variant's instances run, for their logs. */
export interface VariantContext {
  readonly endpointName: string;
  readonly variantName: string;
}

export interface InstanceFactoryOptions {
  readonly objects: ObjectStore;
  readonly pythonPath: string;
  readonly baseEnv: Readonly<Record<string, string>>;
  readonly startupTimeoutMs: number;
  readonly invocationTimeoutMs: number;
  readonly onLine: (context: VariantContext, instanceId: string, line: string) => void;
}

/** Unpacks SAGEMAKER_SUBMIT_DIRECTORY when it is an s3:// source archive (older SDKs). */
async function codeDirectory(
  options: InstanceFactoryOptions,
  model: ModelSpec,
  modelDir: string,
): Promise<string> {
  const submit = model.environment.SAGEMAKER_SUBMIT_DIRECTORY;
  if (!submit?.startsWith('s3://')) return join(modelDir, 'code');
  const dir = join(modelDir, '..', 'code');
  const archive = join(modelDir, '..', 'sourcedir.tar.gz');
  await downloadToFile(options.objects, submit, archive);
  await extractTarSafely(archive, dir);
  return dir;
}

/**
 * How each serving image runs: built-in XGBoost in a worker thread; Python and
 * TypeScript/JavaScript script mode in a child process speaking the container contract.
 */
export function instanceFactoryFor(
  model: ModelSpec,
  modelDir: string,
  context: VariantContext,
  options: InstanceFactoryOptions,
): InstanceFactory {
  const resolved = resolveServingImage(model.image, model.environment);
  if (!resolved.ok) return () => Promise.reject(new Error(resolved.reason));
  const kind = resolved.runtime.kind;
  if (kind === 'xgboost-builtin') {
    const entry = servingWorkerEntry('xgboost-worker');
    const lane = xgboostInlineLane(model.environment);
    return (id) =>
      startThreadInstance(
        id,
        entry,
        { modelDir, environment: model.environment },
        options.startupTimeoutMs,
        lane,
      );
  }
  if (kind === 'echo') {
    const entry = servingWorkerEntry('echo-worker');
    return (id) => startThreadInstance(id, entry, {}, options.startupTimeoutMs, echoInlineLane);
  }
  const python = kind === 'python-script';
  const program = model.environment.SAGEMAKER_PROGRAM;
  let code: Promise<string> | undefined;
  return async (id) => {
    code ??= codeDirectory(options, model, modelDir);
    const codeDir = await code;
    const env = {
      ...options.baseEnv,
      ...model.environment,
      SM_MODEL_DIR: modelDir,
      LATHE_CODE_DIR: codeDir,
      PYTHONUNBUFFERED: '1',
    };
    const entryIsTs = /\.(ts|mts|cts)$/.test(program ?? '');
    const command = python ? options.pythonPath : process.execPath;
    const args = python
      ? [pythonServer]
      : [
          ...(entryIsTs ? ['--import', fileURLToPath(import.meta.resolve('tsx'))] : []),
          servingWorkerEntry('node-script-server'),
        ];
    if (!existsSync(codeDir))
      throw new Error(
        `the model has no code directory (${codeDir}); set SAGEMAKER_PROGRAM and package code/ in the model`,
      );
    return startProcessInstance(id, {
      command,
      args,
      cwd: codeDir,
      env,
      startupTimeoutMs: options.startupTimeoutMs,
      invocationTimeoutMs: options.invocationTimeoutMs,
      onLine: (line) => options.onLine(context, id, line),
    });
  };
}
