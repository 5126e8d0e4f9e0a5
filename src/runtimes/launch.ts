import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TrainingRuntime } from './resolve-image.js';
import {
  decodeHyperParameter,
  type ScriptContext,
  scriptArguments,
  scriptEnvironment,
} from './script-environment.js';

/** What to execute for a training runtime, in a job directory laid out like /opt/ml. */
export interface LaunchPlan {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
}

export interface LaunchOptions {
  readonly pythonPath: string;
  /** Variables every job process inherits (PATH, HOME, LANG…); never credentials. */
  readonly baseEnv: Readonly<Record<string, string>>;
}

/** Compiled child entry points live in dist/, whether Lathe runs from dist/ or src/ (tests). */
export function childEntry(name: string): string {
  return fileURLToPath(new URL(`../../dist/worker/children/${name}.js`, import.meta.url));
}

/** The `sagemaker_program` hyperparameter, JSON-decoded as the training toolkit does. */
export function entryPointOf(hyperParameters: Readonly<Record<string, string>>): string | undefined {
  const raw = hyperParameters.sagemaker_program;
  if (raw === undefined) return undefined;
  const v = decodeHyperParameter(raw);
  return typeof v === 'string' ? v : String(v);
}

export function launchPlan(runtime: TrainingRuntime, ctx: ScriptContext, options: LaunchOptions): LaunchPlan {
  const root = ctx.paths.root;
  const platformEnv = {
    ...options.baseEnv,
    ...ctx.userEnvironment,
    TRAINING_JOB_NAME: ctx.jobName,
    TRAINING_JOB_ARN: ctx.jobArn,
    AWS_REGION: ctx.region,
  };
  switch (runtime.kind) {
    case 'xgboost-builtin':
      return {
        command: process.execPath,
        args: [childEntry('xgboost-train'), root],
        cwd: root,
        env: { ...platformEnv, SM_NUM_CPUS: String(ctx.numCpus) },
      };
    case 'python-script':
    case 'node-script': {
      const entry = entryPointOf(ctx.hyperParameters);
      if (!entry) throw new Error('the hyperparameter sagemaker_program is required in script mode');
      if (entry.split(/[\\/]/).includes('..') || entry.startsWith('/')) {
        throw new Error(`sagemaker_program '${entry}' must be a path inside the source directory`);
      }
      const codeDir = `${root}/code`;
      const env = { ...options.baseEnv, ...scriptEnvironment(ctx, entry, codeDir), PYTHONUNBUFFERED: '1' };
      const args = scriptArguments(ctx.hyperParameters);
      if (runtime.kind === 'python-script') {
        if (!entry.endsWith('.py'))
          return { command: '/bin/sh', args: ['-c', `./${entry} "$@"`, entry, ...args], cwd: codeDir, env };
        return { command: options.pythonPath, args: [entry, ...args], cwd: codeDir, env };
      }
      const typescript = /\.(ts|mts|cts)$/.test(entry);
      const loader = typescript ? ['--import', tsxLoader()] : [];
      return { command: process.execPath, args: [...loader, entry, ...args], cwd: codeDir, env };
    }
    default: {
      const unreachable: never = runtime;
      return unreachable;
    }
  }
}

function tsxLoader(): string {
  const resolved = fileURLToPath(import.meta.resolve('tsx'));
  if (!existsSync(resolved)) throw new Error('the tsx package is needed to run TypeScript training scripts');
  return resolved;
}
