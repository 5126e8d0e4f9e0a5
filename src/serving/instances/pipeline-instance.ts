import { AwsError } from '../../errors/aws-error.js';
import type { InvocationRequest } from '../../ports/endpoint-fleet.js';
import {
  INSTANCE_STOPPING,
  type InstanceFactory,
  type InstanceReply,
  type ModelInstance,
} from './model-instance.js';

/** One container of an inference pipeline: how to start it, and the hostname requests may name. */
export interface PipelineMember {
  readonly hostname?: string;
  readonly factory: InstanceFactory;
}

/**
 * An instance of an inference pipeline (a model with several Containers): one instance per
 * container, started together and replaced together. Serial: each container's response is the
 * next one's request (its Content-Type becomes the next request's; Accept and CustomAttributes
 * go to every container), and a container's error ends the chain as the answer. Direct: the
 * request names one container (X-Amzn-SageMaker-Target-Container-Hostname).
 */
export async function startPipelineInstance(
  id: string,
  members: readonly PipelineMember[],
  mode: 'Serial' | 'Direct',
): Promise<ModelInstance> {
  const started = await Promise.allSettled(members.map((m, i) => m.factory(`${id}-c${i + 1}`)));
  const instances = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failedAt = started.findIndex((s) => s.status === 'rejected');
  if (failedAt >= 0) {
    await Promise.all(instances.map((i) => i.stop(0)));
    const reason = (started[failedAt] as PromiseRejectedResult).reason as Error;
    throw new Error(`container ${failedAt + 1} of the pipeline did not start: ${reason.message}`);
  }
  let stopping = false;
  let outstanding = 0;
  // One container gone ends the pipeline instance: the others stop and the pool replaces all.
  const exited = Promise.race(
    instances.map((i, n) =>
      i.exited.then((e) => ({ ...e, reason: `container ${n + 1} of the pipeline: ${e.reason}` })),
    ),
  ).then(async (e) => {
    await Promise.all(instances.map((i) => i.stop(0)));
    return { expected: e.expected || stopping, reason: e.reason };
  });
  const byHostname = new Map(members.map((m, i) => [m.hostname, instances[i]!]));

  async function serial(request: InvocationRequest): Promise<InstanceReply> {
    let reply: InstanceReply | undefined;
    // Only the last container's answer may stream: each other one is the next one's request.
    let next: InvocationRequest = { ...request, stream: false };
    for (const [i, instance] of instances.entries()) {
      if (i === instances.length - 1) next = { ...next, stream: request.stream };
      reply = await instance.invoke(next);
      if (reply.status < 200 || reply.status > 299) return reply;
      next = { ...request, stream: false, body: reply.body, contentType: reply.contentType };
    }
    return reply!;
  }

  function direct(request: InvocationRequest): Promise<InstanceReply> {
    const host = request.targetContainerHostname;
    const instance = host === undefined ? undefined : byHostname.get(host);
    if (!instance) {
      const names = members.map((m) => m.hostname).join(', ');
      throw new AwsError(
        'ValidationError',
        host === undefined
          ? `This endpoint runs its containers in Direct mode: name one with TargetContainerHostname (${names}).`
          : `TargetContainerHostname '${host}' is not a container of this endpoint (${names}).`,
      );
    }
    return instance.invoke(request);
  }

  return {
    id,
    get outstanding() {
      return outstanding;
    },
    async invoke(request: InvocationRequest): Promise<InstanceReply> {
      if (stopping) throw new Error(INSTANCE_STOPPING);
      outstanding++;
      try {
        return await (mode === 'Direct' ? direct(request) : serial(request));
      } finally {
        outstanding--;
      }
    },
    exited,
    async stop(graceMs: number) {
      stopping = true;
      await Promise.all(instances.map((i) => i.stop(graceMs)));
      await exited;
    },
  };
}
