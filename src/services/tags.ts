import { parseArn } from '../domain/arn.js';
import { validationError } from '../errors/aws-error.js';
import type { MetadataStore, Tag } from '../ports/metadata-store.js';

/**
 * Whether a resource exists, by ARN resource type: true/false for the types Lathe models,
 * undefined for the others (tagged as AWS would, without a check).
 */
export type ResourceExists = (resourceType: string, arn: string) => Promise<boolean | undefined>;

const MAX_TAGS = 50;

/** AddTags / ListTags / DeleteTags on any SageMaker ARN. */
export function createTagService(store: MetadataStore, exists: ResourceExists) {
  async function check(arn: string): Promise<void> {
    const parsed = parseArn(arn);
    if (parsed?.service !== 'sagemaker')
      throw validationError(`ResourceArn '${arn}' is not a SageMaker ARN.`);
    if ((await exists(parsed.resourceType, arn)) === false)
      throw validationError(`Resource ${arn} does not exist.`);
  }
  return {
    async add(arn: string, tags: readonly Tag[]): Promise<void> {
      await check(arn);
      const current = await store.tags.list(arn);
      const keys = new Set([...current.map((t) => t.Key), ...tags.map((t) => t.Key)]);
      if (keys.size > MAX_TAGS) throw validationError(`Tags: a resource can have at most ${MAX_TAGS} tags.`);
      await store.tags.add(arn, tags);
    },
    async list(arn: string): Promise<Tag[]> {
      await check(arn);
      return store.tags.list(arn);
    },
    async remove(arn: string, keys: readonly string[]): Promise<void> {
      await check(arn);
      await store.tags.remove(arn, keys);
    },
  };
}

export type TagService = ReturnType<typeof createTagService>;
