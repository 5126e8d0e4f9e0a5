import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The `/opt/ml`-shaped directory of one training job, under `<data-dir>/jobs/<job>/`. */
export interface JobWorkspace {
  readonly root: string;
  readonly configDir: string;
  readonly dataDir: string;
  readonly modelDir: string;
  readonly outputDir: string;
  readonly outputDataDir: string;
  readonly checkpointsDir: string;
  readonly codeDir: string;
}

export function workspaceOf(dataDir: string, jobName: string): JobWorkspace {
  const root = join(dataDir, 'jobs', jobName);
  return {
    root,
    configDir: join(root, 'input', 'config'),
    dataDir: join(root, 'input', 'data'),
    modelDir: join(root, 'model'),
    outputDir: join(root, 'output'),
    outputDataDir: join(root, 'output', 'data'),
    checkpointsDir: join(root, 'checkpoints'),
    codeDir: join(root, 'code'),
  };
}

/** Creates a fresh workspace (an earlier attempt's files are removed) and writes the config files. */
export async function prepareWorkspace(
  ws: JobWorkspace,
  configFiles: Record<string, unknown>,
): Promise<void> {
  await rm(ws.root, { recursive: true, force: true });
  for (const dir of [
    ws.configDir,
    ws.dataDir,
    ws.modelDir,
    ws.outputDataDir,
    join(ws.outputDir, 'intermediate'),
    ws.checkpointsDir,
    ws.codeDir,
  ]) {
    await mkdir(dir, { recursive: true });
  }
  for (const [name, content] of Object.entries(configFiles)) {
    await writeFile(join(ws.configDir, name), JSON.stringify(content, null, 2));
  }
}

/** The failure file a training process may leave (`output/failure`), if any. */
export async function readFailureFile(ws: JobWorkspace): Promise<string | undefined> {
  try {
    const text = await readFile(join(ws.outputDir, 'failure'), 'utf8');
    return text.trim() ? text : undefined;
  } catch {
    return undefined;
  }
}
