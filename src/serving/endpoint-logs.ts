import { transformJobOf } from '../domain/transform-job.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import { LogCollector } from '../worker/log-collector.js';
import type { VariantContext } from './instance-factories.js';

/**
 * Model-server output in CloudWatch's layout: for endpoints, group
 * `/aws/sagemaker/Endpoints/<endpoint>` and stream `<variant>/<instance-id>`; for batch transform,
 * group `/aws/sagemaker/TransformJobs` and stream `<job>/<instance-id>`.
 */
const TRANSFORM_GROUP = '/aws/sagemaker/TransformJobs';

export function createEndpointLogSink(store: MetadataStore) {
  const collectors = new Map<string, LogCollector>();
  return {
    line(context: VariantContext, instanceId: string, line: string): void {
      const job = transformJobOf(context.endpointName);
      const group = job === undefined ? `/aws/sagemaker/Endpoints/${context.endpointName}` : TRANSFORM_GROUP;
      const stream = job === undefined ? `${context.variantName}/${instanceId}` : `${job}/${instanceId}`;
      const key = `${group}\n${stream}`;
      let collector = collectors.get(key);
      if (!collector) {
        collector = new LogCollector(store, context.endpointName, group, stream, []);
        collectors.set(key, collector);
        void store.logs.createStream(group, stream, Date.now());
      }
      collector.line(line);
    },
  };
}
