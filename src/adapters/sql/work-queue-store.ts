import type { Kysely, WhereInterface } from 'kysely';
import type { WorkItem, WorkLease, WorkQueueStore } from '../../ports/metadata-store.js';
import type { MetadataDatabase } from './schema.js';
import { sqlFlavor } from './sql-flavor.js';
import { toJson, toNumber } from './sql-values.js';

/** Narrows a delete or update to the item `lease` still holds: its owner and its claim's attempt. */
const heldBy =
  (queue: string, lease: WorkLease) =>
  <Q extends WhereInterface<MetadataDatabase, 'work_items'>>(qb: Q): Q =>
    qb
      .where('queue', '=', queue)
      .where('id', '=', lease.id)
      .where('lease_owner', '=', lease.owner)
      .where('attempts', '=', lease.attempts) as Q;

/**
 * A durable queue with leases in one table. Times come from the injected clock (epoch ms), so
 * every server sharing a database must keep its clock roughly in sync: a lease expires when the
 * claimer's `now` passes `lease_until`.
 */
export class SqlWorkQueueStore implements WorkQueueStore {
  private readonly postgres: boolean;

  constructor(
    private readonly db: Kysely<MetadataDatabase>,
    private readonly now: () => number,
  ) {
    this.postgres = sqlFlavor(db) === 'postgres';
  }

  /** Rejects with an Error when the queue already holds an item of that id (leased or not). */
  async enqueue<T>(queue: string, id: string, payload: T, notBefore?: number): Promise<void> {
    const now = this.now();
    const result = await this.db
      .insertInto('work_items')
      .values({
        queue,
        id,
        payload: toJson(payload, `The payload of work item ${id}`),
        enqueued_at: now,
        not_before: notBefore ?? now,
      })
      .onConflict((oc) => oc.columns(['queue', 'id']).doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0n) !== 1) {
      throw new Error(`Work item ${id} is already in queue ${queue}.`);
    }
  }

  async claim<T>(queue: string, owner: string, leaseMs: number, limit: number): Promise<WorkItem<T>[]> {
    if (limit <= 0) return [];
    const now = this.now();
    // One UPDATE … WHERE seq IN (SELECT …) is one transaction: SQLite takes its write lock
    // before the statement reads anything, so claimers (even in other processes) run one after
    // the other. On PostgreSQL, FOR UPDATE SKIP LOCKED makes a concurrent claimer skip the rows
    // this one is taking instead of taking them too (a bare subquery would not lock them).
    const rows = await this.db
      .updateTable('work_items')
      .set((eb) => ({
        lease_owner: owner,
        lease_until: now + leaseMs,
        attempts: eb('attempts', '+', 1),
      }))
      .where('seq', 'in', (eb) => {
        const runnable = eb
          .selectFrom('work_items')
          .select('seq')
          .where('queue', '=', queue)
          .where('not_before', '<=', now)
          .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<=', now)]))
          .orderBy('enqueued_at')
          .orderBy('seq')
          .limit(limit);
        return this.postgres ? runnable.forUpdate().skipLocked() : runnable;
      })
      .returning(['seq', 'id', 'payload', 'attempts', 'enqueued_at'])
      .execute();
    // RETURNING's order is unspecified; the port promises oldest first.
    const items = rows.map((r) => ({
      seq: toNumber(r.seq),
      enqueuedAt: toNumber(r.enqueued_at),
      item: {
        id: r.id,
        owner,
        attempts: r.attempts,
        payload: JSON.parse(r.payload) as T,
        enqueuedAt: toNumber(r.enqueued_at),
      },
    }));
    items.sort((a, b) => a.enqueuedAt - b.enqueuedAt || a.seq - b.seq);
    return items.map((i) => i.item);
  }

  async complete(queue: string, lease: WorkLease): Promise<boolean> {
    const result = await this.db.deleteFrom('work_items').$call(heldBy(queue, lease)).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async renew(queue: string, lease: WorkLease, leaseMs: number): Promise<boolean> {
    return this.updateHeld(queue, lease, { lease_until: this.now() + leaseMs });
  }

  async release(queue: string, lease: WorkLease, notBefore?: number): Promise<boolean> {
    return this.updateHeld(queue, lease, {
      lease_owner: null,
      lease_until: null,
      not_before: notBefore ?? this.now(),
    });
  }

  /** Changes an item only while `lease` (owner and claim) still holds it. */
  private async updateHeld(
    queue: string,
    lease: WorkLease,
    changes: { lease_owner?: null; lease_until: number | null; not_before?: number },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('work_items')
      .set(changes)
      .$call(heldBy(queue, lease))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async size(queue: string): Promise<number> {
    const row = await this.db
      .selectFrom('work_items')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('queue', '=', queue)
      .executeTakeFirstOrThrow();
    return toNumber(row.n);
  }
}
