import { AwsError } from '../../errors/aws-error.js';
import type { InvocationRequest } from '../../ports/endpoint-fleet.js';
import { INSTANCE_STOPPING, type InstanceReply, type ModelInstance } from './model-instance.js';

/** Starts the instance of one model of a multi-model endpoint (downloads and loads it). */
export type LoadTargetModel = (targetModel: string, instanceId: string) => Promise<ModelInstance>;

/** TargetModel: a relative S3 key under the endpoint's prefix, without `..` or empty segments. */
const TARGET_MODEL = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9!\-_.*'()/]+$/;

export function targetModelProblem(targetModel: string | undefined): string | undefined {
  if (targetModel === undefined || targetModel === '') {
    return 'This is a multi-model endpoint: name the model to run with TargetModel (its path under the model prefix).';
  }
  if (
    targetModel.length > 1024 ||
    !TARGET_MODEL.test(targetModel) ||
    targetModel.startsWith('/') ||
    targetModel.includes('//')
  ) {
    return `TargetModel '${targetModel.slice(0, 100)}' is not a relative path under the model prefix.`;
  }
  return undefined;
}

/**
 * An instance of a multi-model endpoint (SageMaker's Mode MultiModel): each request names a model
 * artifact under the endpoint's S3 prefix, which is loaded on first use into an instance of its
 * own and kept while used; beyond `capacity` loaded models, the least recently used one is
 * unloaded. A model whose instance dies is loaded again by the next request for it.
 */
export function startMultiModelInstance(
  id: string,
  load: LoadTargetModel,
  capacity: number,
): Promise<ModelInstance> {
  // Insertion order is recency: a used model is deleted and set again.
  const loaded = new Map<string, Promise<ModelInstance>>();
  let stopping = false;
  let counter = 0;
  let outstanding = 0;
  let resolveExit!: (v: { expected: boolean; reason: string }) => void;
  const exited = new Promise<{ expected: boolean; reason: string }>((r) => {
    resolveExit = r;
  });

  function modelFor(target: string): Promise<ModelInstance> {
    const cached = loaded.get(target);
    if (cached) {
      loaded.delete(target);
      loaded.set(target, cached);
      return cached;
    }
    const starting = load(target, `${id}-m${++counter}`).then(
      (instance) => {
        void instance.exited.then(() => {
          if (loaded.get(target) === starting) loaded.delete(target);
        });
        return instance;
      },
      (e: Error) => {
        if (loaded.get(target) === starting) loaded.delete(target);
        throw new AwsError('ValidationError', `Could not load TargetModel '${target}': ${e.message}`);
      },
    );
    loaded.set(target, starting);
    while (loaded.size > capacity) {
      const [oldest, instance] = loaded.entries().next().value!;
      loaded.delete(oldest);
      void instance.then((i) => i.stop(30_000)).catch(() => undefined);
    }
    return starting;
  }

  return Promise.resolve({
    id,
    get outstanding() {
      return outstanding;
    },
    async invoke(request: InvocationRequest): Promise<InstanceReply> {
      if (stopping) throw new Error(INSTANCE_STOPPING);
      const problem = targetModelProblem(request.targetModel);
      if (problem) throw new AwsError('ValidationError', problem);
      outstanding++;
      try {
        const instance = await modelFor(request.targetModel!);
        return await instance.invoke(request);
      } finally {
        outstanding--;
      }
    },
    exited,
    async stop(graceMs: number) {
      stopping = true;
      const all = [...loaded.values()];
      loaded.clear();
      await Promise.all(all.map((p) => p.then((i) => i.stop(graceMs)).catch(() => undefined)));
      resolveExit({ expected: true, reason: 'stopped' });
    },
  });
}
