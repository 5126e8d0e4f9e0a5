import { z } from 'zod';
import { parseArn } from '../../domain/arn.js';
import { validationError } from '../../errors/aws-error.js';
import type { MetadataStore } from '../../ports/metadata-store.js';
import { type OperationTable, operation } from '../operation.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { tagList } from './training-job-schemas.js';

const resourceArn = z.string().min(1).max(256);

/**
 * Resources whose existence can be checked, by ARN resource type. Other SageMaker ARNs are
 * accepted as AWS does for resources Lathe does not model yet.
 */
export type ResourceExists = (resourceType: string, arn: string) => Promise<boolean | undefined>;

async function checkArn(arn: string, exists: ResourceExists): Promise<void> {
  const parsed = parseArn(arn);
  if (parsed?.service !== 'sagemaker') throw validationError(`ResourceArn '${arn}' is not a SageMaker ARN.`);
  if ((await exists(parsed.resourceType, arn)) === false)
    throw validationError(`Resource ${arn} does not exist.`);
}

/** AddTags, ListTags, DeleteTags. */
export function tagOperations(store: MetadataStore, exists: ResourceExists): OperationTable {
  return {
    AddTags: operation(z.looseObject({ ResourceArn: resourceArn, Tags: tagList }), async (input) => {
      await checkArn(input.ResourceArn, exists);
      const current = await store.tags.list(input.ResourceArn);
      const keys = new Set([...current.map((t) => t.Key), ...input.Tags.map((t) => t.Key)]);
      if (keys.size > 50) throw validationError('Tags: a resource can have at most 50 tags.');
      await store.tags.add(input.ResourceArn, input.Tags);
      return { Tags: input.Tags };
    }),
    ListTags: operation(
      z.looseObject({
        ResourceArn: resourceArn,
        NextToken: z.string().max(8192).optional(),
        MaxResults: z.number().int().min(50).optional(),
      }),
      async (input) => {
        await checkArn(input.ResourceArn, exists);
        const all = await store.tags.list(input.ResourceArn);
        const limit = input.MaxResults ?? 50;
        const query = { arn: input.ResourceArn };
        const offset = input.NextToken ? decodePageToken(input.NextToken, query) : 0;
        const page = all.slice(offset, offset + limit);
        return {
          Tags: page,
          ...(offset + limit < all.length ? { NextToken: encodePageToken(offset + limit, query) } : {}),
        };
      },
    ),
    DeleteTags: operation(
      z.looseObject({
        ResourceArn: resourceArn,
        TagKeys: z.array(z.string().min(1).max(128)).min(1).max(50),
      }),
      async (input) => {
        await checkArn(input.ResourceArn, exists);
        await store.tags.remove(input.ResourceArn, input.TagKeys);
        return {};
      },
    ),
  };
}
