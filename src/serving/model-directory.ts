import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelSpec } from '../ports/endpoint-fleet.js';
import type { ObjectStore } from '../ports/object-store.js';
import { downloadFolder, downloadToFile, extractTarSafely } from '../worker/transfer.js';

/**
 * Lays out a model's `/opt/ml/model` for one deployment of a variant: the artifact is
 * downloaded and unpacked once, and every instance of the variant reads the same directory.
 */
export async function prepareModelDirectory(
  objects: ObjectStore,
  spec: ModelSpec,
  dir: string,
): Promise<string> {
  const modelDir = join(dir, 'model');
  await rm(dir, { recursive: true, force: true });
  await mkdir(modelDir, { recursive: true });
  if (!spec.modelDataUrl) return modelDir;
  if (spec.compression === 'None') {
    await downloadFolder(objects, spec.modelDataUrl, modelDir);
    return modelDir;
  }
  const archive = join(dir, 'model.tar.gz');
  try {
    await downloadToFile(objects, spec.modelDataUrl, archive);
  } catch (e) {
    throw new Error(`Could not download the model artifact ${spec.modelDataUrl}: ${(e as Error).message}`);
  }
  try {
    await extractTarSafely(archive, modelDir);
  } catch (e) {
    throw new Error(`Could not unpack the model artifact ${spec.modelDataUrl}: ${(e as Error).message}`);
  } finally {
    await rm(archive, { force: true });
  }
  return modelDir;
}
