import type { MetadataStore } from '../ports/metadata-store.js';
import { LogCollector } from '../worker/log-collector.js';
import type { VariantContext } from './instance-factories.js';

/**
 * Model-server output in CloudWatch's layout for endpoints: group
 * `/aws/sagemaker/Endpoints/<endpoint>`, stream `<variant>/<instance-id>`.
 */
export function createEndpointLogSink(store: MetadataStore) {
  const collectors = new Map<string, LogCollector>();
  return {
    line(context: VariantContext, instanceId: string, line: string): void {
      const group = `/aws/sagemaker/Endpoints/${context.endpointName}`;
      const stream = `${context.variantName}/${instanceId}`;
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
