import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelSpec, VariantSpec } from '../ports/endpoint-fleet.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { InstanceFactoryFor } from './embedded-fleet.js';
import type { InstanceFactory } from './instances/model-instance.js';
import { startMultiModelInstance } from './instances/multi-model-instance.js';
import { type PipelineMember, startPipelineInstance } from './instances/pipeline-instance.js';
import { prepareModelDirectory } from './model-directory.js';

/** What building a variant's instance factory needs from the fleet. */
export interface VariantFactoryDeps {
  readonly objects: ObjectStore;
  readonly factoryFor: InstanceFactoryFor;
  /** Models a multi-model instance keeps loaded. */
  readonly multiModelCapacity: number;
}

/** The variant's instance factory, its model (or each pipeline container's) unpacked under `dir`. */
export async function variantInstanceFactory(
  deps: VariantFactoryDeps,
  endpointName: string,
  v: VariantSpec,
  dir: string,
): Promise<InstanceFactory> {
  const context = { endpointName, variantName: v.variantName };
  if (v.model.multiModel) return multiModelFactory(deps, v.model, dir, context);
  if (!v.pipeline) {
    const modelDir = await prepareModelDirectory(deps.objects, v.model, dir);
    return deps.factoryFor(v.model, modelDir, context);
  }
  const members: PipelineMember[] = [];
  for (const [i, model] of v.pipeline.models.entries()) {
    const modelDir = await prepareModelDirectory(deps.objects, model, join(dir, `container-${i + 1}`));
    members.push({
      ...(model.hostname === undefined ? {} : { hostname: model.hostname }),
      factory: deps.factoryFor(model, modelDir, context),
    });
  }
  const mode = v.pipeline.mode;
  return (id) => startPipelineInstance(id, members, mode);
}

/** A multi-model variant: each instance loads the requests' TargetModels under the prefix. */
function multiModelFactory(
  deps: VariantFactoryDeps,
  model: ModelSpec,
  dir: string,
  context: { endpointName: string; variantName: string },
): InstanceFactory {
  const prefix = model.modelDataUrl!.endsWith('/') ? model.modelDataUrl! : `${model.modelDataUrl}/`;
  let n = 0;
  return (id) =>
    startMultiModelInstance(
      id,
      async (target, instanceId) => {
        const spec: ModelSpec = {
          ...model,
          multiModel: false,
          modelDataUrl: `${prefix}${target}`,
          compression: 'Gzip',
          environment: { ...model.environment, SAGEMAKER_MULTI_MODEL: 'true' },
        };
        const root = join(dir, 'models', String(++n));
        const modelDir = await prepareModelDirectory(deps.objects, spec, root).catch(async (e) => {
          await rm(root, { recursive: true, force: true });
          throw e;
        });
        const instance = await deps
          .factoryFor(
            spec,
            modelDir,
            context,
          )(instanceId)
          .catch(async (e: unknown) => {
            await rm(root, { recursive: true, force: true });
            throw e;
          });
        // Unloaded (or crashed): its files go too; a later request downloads it again.
        void instance.exited.then(() => rm(root, { recursive: true, force: true }));
        return instance;
      },
      deps.multiModelCapacity,
    );
}
