import { z } from 'zod';
import type { TagService } from '../../services/tags.js';
import { type OperationTable, operation } from '../operation.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { tagList } from './training-job-schemas.js';

const resourceArn = z.string().min(1).max(256);

/** AddTags, ListTags, DeleteTags. */
export function tagOperations(tags: TagService): OperationTable {
  return {
    AddTags: operation(z.looseObject({ ResourceArn: resourceArn, Tags: tagList }), async (input) => {
      await tags.add(input.ResourceArn, input.Tags);
      return { Tags: input.Tags };
    }),
    ListTags: operation(
      z.looseObject({
        ResourceArn: resourceArn,
        NextToken: z.string().max(8192).optional(),
        MaxResults: z.number().int().min(50).optional(),
      }),
      async (input) => {
        const all = await tags.list(input.ResourceArn);
        const limit = input.MaxResults ?? 50;
        const query = { arn: input.ResourceArn };
        const offset = input.NextToken ? decodePageToken(input.NextToken, query) : 0;
        return {
          Tags: all.slice(offset, offset + limit),
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
        await tags.remove(input.ResourceArn, input.TagKeys);
        return {};
      },
    ),
  };
}
