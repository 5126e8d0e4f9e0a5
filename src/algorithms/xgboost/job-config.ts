import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClientError } from './errors.js';

/** One channel's entry in inputdataconfig.json (unknown keys are ignored). */
export interface ChannelConfig {
  readonly ContentType?: string;
  readonly TrainingInputMode?: string;
  readonly S3DistributionType?: string;
}

/** What a training container reads from `<mlRoot>/input/config`. */
export interface JobConfig {
  readonly hyperparameters: Record<string, string>;
  readonly inputDataConfig: Record<string, ChannelConfig>;
  /** checkpointconfig.json's `LocalPath`, when the job has checkpoints. */
  readonly checkpointDir?: string;
}

/** Paths below an `/opt/ml`-shaped root. */
export function mlPaths(mlRoot: string) {
  return {
    config: join(mlRoot, 'input', 'config'),
    data: (channel: string) => join(mlRoot, 'input', 'data', channel),
    model: join(mlRoot, 'model'),
    output: join(mlRoot, 'output'),
    failure: join(mlRoot, 'output', 'failure'),
  };
}

/** Reads hyperparameters.json, inputdataconfig.json and the optional checkpointconfig.json. */
export async function readJobConfig(mlRoot: string): Promise<JobConfig> {
  const dir = mlPaths(mlRoot).config;
  const hyperparameters = await readJsonObject(join(dir, 'hyperparameters.json'), {});
  const inputDataConfig = await readJsonObject(join(dir, 'inputdataconfig.json'), {});
  const checkpoint = await readJsonObject(join(dir, 'checkpointconfig.json'), {});
  for (const [k, v] of Object.entries(hyperparameters)) {
    // The API type is map<string,string>; tolerate numbers written by hand-made configs.
    if (typeof v === 'number' || typeof v === 'boolean') hyperparameters[k] = String(v);
    else if (typeof v !== 'string') throw new ClientError(`Hyperparameter '${k}' must be a string`);
  }
  const localPath = checkpoint['LocalPath'];
  return {
    hyperparameters: hyperparameters as Record<string, string>,
    inputDataConfig: inputDataConfig as Record<string, ChannelConfig>,
    checkpointDir: typeof localPath === 'string' && localPath !== '' ? localPath : undefined,
  };
}

async function readJsonObject(
  path: string,
  fallback: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ...fallback };
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ClientError(`${path} is not valid JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ClientError(`${path} must contain a JSON object`);
  }
  return parsed as Record<string, unknown>;
}
