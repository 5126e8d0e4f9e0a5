import { type SelectQueryBuilder, sql } from 'kysely';
import type { ResourceQuery } from '../../ports/metadata-store.js';
import { escapeLike } from './sql-values.js';

/** What the SageMaker List* operations filter, sort and page on (TrainingJobQuery has the same shape). */
export type ListQuery = ResourceQuery;

/**
 * Applies a List* query to a select over a table with `name`, `status`, `creation_time` and
 * `last_modified_time` columns, so training jobs and the generic resources list identically:
 * `nameContains` ignores case and takes `%`/`_` literally, time bounds are exclusive, the
 * default sort is CreationTime Ascending, and ties break by name in the sort's direction (so
 * Descending is exactly Ascending reversed). Returns undefined when nothing can match
 * (`statusIn: []`). Written with raw column references so it fits any such table.
 *
 * `nullableStatus`: the column may be NULL, which SQLite sorts first and PostgreSQL last; such
 * rows sort as the empty string on both.
 */
export function applyListQuery<DB, TB extends keyof DB, O>(
  select: SelectQueryBuilder<DB, TB, O>,
  query: ListQuery,
  options: { readonly nullableStatus?: boolean } = {},
): SelectQueryBuilder<DB, TB, O> | undefined {
  let q = select;
  if (query.nameContains !== undefined && query.nameContains !== '') {
    // lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
    const pattern = `%${escapeLike(query.nameContains.toLowerCase())}%`;
    q = q.where(sql<boolean>`lower(name) like ${pattern} escape '\\'`);
  }
  if (query.statusEquals !== undefined) q = q.where(sql<boolean>`status = ${query.statusEquals}`);
  if (query.statusIn !== undefined) {
    if (query.statusIn.length === 0) return undefined;
    q = q.where(sql<boolean>`status in (${sql.join([...query.statusIn])})`);
  }
  const bounds = [
    ['creation_time', '>', query.creationTimeAfter],
    ['creation_time', '<', query.creationTimeBefore],
    ['last_modified_time', '>', query.lastModifiedTimeAfter],
    ['last_modified_time', '<', query.lastModifiedTimeBefore],
  ] as const;
  for (const [column, op, value] of bounds) {
    if (value !== undefined) q = q.where(sql<boolean>`${sql.ref(column)} ${sql.raw(op)} ${value}`);
  }

  const direction = query.sortOrder === 'Descending' ? 'desc' : 'asc';
  const sortBy = query.sortBy ?? 'CreationTime';
  if (sortBy === 'CreationTime') q = q.orderBy(sql.ref('creation_time'), direction);
  if (sortBy === 'Status') {
    q = q.orderBy(options.nullableStatus === true ? sql`coalesce(status, '')` : sql.ref('status'), direction);
  }
  q = q.orderBy(sql.ref('name'), direction);
  // SQLite rejects OFFSET without LIMIT, so an offset alone gets an unbounded limit.
  if (query.limit !== undefined) q = q.limit(query.limit);
  else if (query.offset !== undefined) q = q.limit(Number.MAX_SAFE_INTEGER);
  if (query.offset !== undefined) q = q.offset(query.offset);
  return q;
}
