import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Booster } from './booster.js';

/** Checkpoint file prefix of SageMaker's XGBoost container (`xgboost-checkpoint.<iteration>`). */
export const CHECKPOINT_PREFIX = 'xgboost-checkpoint.';

/** How many checkpoints stay on disk (the container's default). */
const KEEP = 5;

/** The newest checkpoint in `dir` and its iteration, if any. */
export async function latestCheckpoint(
  dir: string,
): Promise<{ path: string; iteration: number } | undefined> {
  const found = await checkpointIterations(dir);
  const iteration = found[found.length - 1];
  return iteration === undefined
    ? undefined
    : { path: join(dir, `${CHECKPOINT_PREFIX}${iteration}`), iteration };
}

/** Writes `xgboost-checkpoint.<iteration>` atomically and prunes all but the newest few. */
export async function saveCheckpoint(booster: Booster, dir: string, iteration: number): Promise<void> {
  const path = join(dir, `${CHECKPOINT_PREFIX}${iteration}`);
  const tmp = join(dir, `.${CHECKPOINT_PREFIX}${iteration}.tmp`);
  booster.saveModel(tmp);
  await rename(tmp, path);
  const all = await checkpointIterations(dir);
  for (const old of all.slice(0, Math.max(0, all.length - KEEP))) {
    await rm(join(dir, `${CHECKPOINT_PREFIX}${old}`), { force: true });
  }
}

async function checkpointIterations(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(CHECKPOINT_PREFIX) && /^\d+$/.test(n.slice(CHECKPOINT_PREFIX.length)))
    .map((n) => Number(n.slice(CHECKPOINT_PREFIX.length)))
    .sort((a, b) => a - b);
}
