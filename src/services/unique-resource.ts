import type { ResourceKind, ResourceStore, StoredResource, Tag, TagStore } from '../ports/metadata-store.js';

/**
 * Whether another resource of the kind already has this ARN. ARNs carry the lower-cased name, so
 * `MyModel` and `mymodel` would share one: SageMaker refuses the second.
 */
export async function arnTaken(resources: ResourceStore, kind: ResourceKind, arn: string, name: string) {
  const similar = await resources.list(kind, { nameContains: name.toLowerCase() });
  return similar.some((r) => r.arn === arn);
}

/** For the tag service: whether a resource of the kind has this ARN (its name is the last segment). */
export function arnExists(resources: ResourceStore, kind: ResourceKind, arn: string): Promise<boolean> {
  return arnTaken(resources, kind, arn, arn.slice(arn.lastIndexOf('/') + 1));
}

/** Removes every tag of a deleted resource. */
export async function dropTags(tags: TagStore, arn: string): Promise<void> {
  const keys = (await tags.list(arn)).map((t) => t.Key);
  if (keys.length) await tags.remove(arn, keys);
}

/** A new resource whose record is its definition alone (models, endpoint configurations). */
export function definitionResource<D>(
  kind: ResourceKind,
  name: string,
  arn: string,
  definition: D,
  at: number,
): StoredResource<{ readonly definition: D }> {
  return { kind, name, arn, creationTime: at, lastModifiedTime: at, record: { definition } };
}

/** The resource a create call asks for, and SageMaker's answer when its ARN is taken. */
export interface UniqueResource<S> {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly arn: string;
  /** The error to throw when the ARN is taken (each kind words it its own way). */
  readonly exists: Error;
  /** The resource to store; runs after the ARN check, so its own checks come second. */
  readonly build: () => S | Promise<S>;
  readonly tags?: readonly Tag[] | undefined;
}

/**
 * Creates a resource whose ARN must be new, or throws `exists`: once when another resource
 * already has the ARN, and again when the store refuses the name because a concurrent create won.
 * Tags are added once the resource is stored.
 */
export async function createUnique<S extends StoredResource<unknown>>(
  deps: { readonly resources: ResourceStore; readonly tags: TagStore },
  resource: UniqueResource<S>,
): Promise<S> {
  const { resources, tags } = deps;
  if (await arnTaken(resources, resource.kind, resource.arn, resource.name)) throw resource.exists;
  const stored = await resource.build();
  if (!(await resources.create(stored))) throw resource.exists;
  if (resource.tags?.length) await tags.add(resource.arn, resource.tags);
  return stored;
}

/**
 * A stored resource with a status (endpoint, transform job) as its service's record: the
 * stored state plus name, ARN, status and times. A missing status reads as `Failed`.
 */
export function withStatus<T extends object, S extends string>(
  r: StoredResource<T>,
): T & { name: string; arn: string; status: S; creationTime: number; lastModifiedTime: number } {
  return {
    ...r.record,
    name: r.name,
    arn: r.arn,
    status: (r.status ?? 'Failed') as S,
    creationTime: r.creationTime,
    lastModifiedTime: r.lastModifiedTime,
  };
}
