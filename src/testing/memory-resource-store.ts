import { AwsError } from '../errors/aws-error.js';
import type { ResourceQuery, ResourceStore, StoredResource } from '../ports/metadata-store.js';

/**
 * A `ResourceStore` in memory for service unit tests. Like the SQL one it hands out copies
 * (JSON drops undefined members), ignores name case in `nameContains`, and lists oldest first.
 * Only the filters those tests use are implemented; the SQL adapters pass the real suite.
 */
export function memoryResourceStore(): ResourceStore {
  const rows = new Map<string, StoredResource<unknown>>();
  const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  return {
    async create<T>(r: StoredResource<T>) {
      if (rows.has(`${r.kind}/${r.name}`)) return false;
      rows.set(`${r.kind}/${r.name}`, copy(r));
      return true;
    },
    async get<T>(kind: string, name: string) {
      const r = rows.get(`${kind}/${name}`);
      return r && (copy(r) as StoredResource<T>);
    },
    async update<T>(kind: string, name: string, change: (c: StoredResource<T>) => StoredResource<T>) {
      const r = rows.get(`${kind}/${name}`);
      if (!r) throw new AwsError('ResourceNotFound', `Could not find ${kind} "${name}".`);
      const next = copy(change(copy(r) as StoredResource<T>));
      rows.set(`${kind}/${name}`, next);
      return next;
    },
    async delete(kind: string, name: string) {
      return rows.delete(`${kind}/${name}`);
    },
    async list<T>(kind: string, q: ResourceQuery) {
      return [...rows.values()]
        .filter((r) => r.kind === kind)
        .filter((r) => !q.nameContains || r.name.toLowerCase().includes(q.nameContains.toLowerCase()))
        .filter((r) => !q.statusIn || q.statusIn.includes(r.status ?? ''))
        .sort((a, b) => a.creationTime - b.creationTime)
        .map((r) => copy(r) as StoredResource<T>);
    },
  } as ResourceStore;
}
