import type { z } from 'zod';
import type { ModelRecord } from '../../domain/model.js';
import type { ModelService } from '../../services/models.js';
import { type Operation, type OperationTable, operation } from '../operation.js';
import { createModelInput, listByNameInput, modelNameInput } from './inference-schemas.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { seconds } from './training-jobs.js';

/** Drops undefined members: AWS omits absent members rather than sending null. */
export const compact = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Epoch seconds (the wire) → epoch milliseconds (the services). */
export const milliseconds = (s: number | undefined): number | undefined =>
  s === undefined ? undefined : s * 1000;

function describe(model: ModelRecord): Record<string, unknown> {
  const { ModelName: _name, ...definition } = model.definition;
  return compact({
    ModelName: model.name,
    ...definition,
    CreationTime: seconds(model.creationTime),
    ModelArn: model.arn,
    EnableNetworkIsolation: model.definition.EnableNetworkIsolation ?? false,
  });
}

/** The filters, order and page of a List* call, as the services take them. */
export interface ListQuery {
  readonly nameContains?: string;
  readonly statusEquals?: string;
  readonly creationTimeAfter?: number;
  readonly creationTimeBefore?: number;
  readonly lastModifiedTimeAfter?: number;
  readonly lastModifiedTimeBefore?: number;
  readonly sortBy: 'Name' | 'CreationTime' | 'Status';
  readonly sortOrder: 'Ascending' | 'Descending';
  readonly offset: number;
  readonly limit: number;
}

/** The members every inference List* request has. */
interface ListInput {
  readonly NextToken?: string;
  readonly MaxResults?: number;
  readonly NameContains?: string;
  readonly CreationTimeBefore?: number;
  readonly CreationTimeAfter?: number;
  readonly SortBy?: ListQuery['sortBy'];
  readonly SortOrder?: ListQuery['sortOrder'];
}

/** The filters of a List* request beyond name and creation time. */
type ListFilters = Partial<
  Pick<ListQuery, 'statusEquals' | 'lastModifiedTimeAfter' | 'lastModifiedTimeBefore'>
>;

/**
 * One page of a List* operation. The default order is CreationTime, Descending, as SageMaker
 * documents for models, endpoint configurations and endpoints.
 */
export async function listPage<R>(
  input: ListInput,
  extra: ListFilters,
  list: (query: ListQuery) => Promise<R[]>,
): Promise<{ items: R[]; NextToken?: string }> {
  const limit = input.MaxResults ?? 10;
  const filters = {
    nameContains: input.NameContains,
    creationTimeAfter: milliseconds(input.CreationTimeAfter),
    creationTimeBefore: milliseconds(input.CreationTimeBefore),
    sortBy: input.SortBy ?? 'CreationTime',
    sortOrder: input.SortOrder ?? 'Descending',
    ...extra,
  } as const;
  const offset = input.NextToken ? decodePageToken(input.NextToken, filters) : 0;
  const page = await list({ ...filters, offset, limit: limit + 1 });
  return {
    items: page.slice(0, limit),
    ...(page.length > limit ? { NextToken: encodePageToken(offset + limit, filters) } : {}),
  };
}

/** The members ListEndpoints and ListTransformJobs add to the name and creation-time filters. */
interface StatusListInput {
  readonly StatusEquals?: string;
  readonly LastModifiedTimeAfter?: number;
  readonly LastModifiedTimeBefore?: number;
}

/** The status and last-modified filters of a List* request, as the services take them. */
export function statusFilters(input: StatusListInput): ListFilters {
  return {
    statusEquals: input.StatusEquals,
    lastModifiedTimeAfter: milliseconds(input.LastModifiedTimeAfter),
    lastModifiedTimeBefore: milliseconds(input.LastModifiedTimeBefore),
  };
}

/**
 * A List* operation: one page of `list`, answered as `{ [member]: summaries, NextToken }`.
 * `filters` adds the request's filters beyond name and creation time.
 */
export function listOperation<S extends z.ZodType<ListInput>, R>(
  schema: S,
  member: string,
  list: (query: ListQuery) => Promise<R[]>,
  summary: (item: R) => unknown,
  filters: (input: z.infer<S>) => ListFilters = () => ({}),
): Operation {
  return operation(schema, async (input) => {
    const page = await listPage(input, filters(input), list);
    return compact({ [member]: page.items.map(summary), NextToken: page.NextToken });
  });
}

/** CreateModel, DescribeModel, ListModels, DeleteModel. */
export function modelOperations(service: ModelService): OperationTable {
  return {
    CreateModel: operation(createModelInput, async (input) => {
      const model = await service.create(input);
      return { ModelArn: model.arn };
    }),
    DescribeModel: operation(modelNameInput, async (input) => describe(await service.get(input.ModelName))),
    ListModels: listOperation(
      listByNameInput,
      'Models',
      (q) => service.list(q),
      (m) => ({ ModelName: m.name, ModelArn: m.arn, CreationTime: seconds(m.creationTime) }),
    ),
    DeleteModel: operation(modelNameInput, async (input) => {
      await service.delete(input.ModelName);
      return {};
    }),
  };
}
