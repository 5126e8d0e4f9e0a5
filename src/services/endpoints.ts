import { sagemakerArn } from '../domain/arn.js';
import {
  type Deployment,
  type EndpointOperation,
  type EndpointRecord,
  type EndpointState,
  type EndpointStatus,
  failureReason,
  type Outcome,
  settle,
  updateProblem,
} from '../domain/endpoint.js';
import type { DataCaptureConfig, EndpointConfigRecord } from '../domain/endpoint-config.js';
import type { ModelRecord } from '../domain/model.js';
import { AwsError, validationError } from '../errors/aws-error.js';
import type { EndpointFleet, VariantState } from '../ports/endpoint-fleet.js';
import type { Logger } from '../ports/logger.js';
import type { ResourceQuery, StoredResource, Tag } from '../ports/metadata-store.js';
import { endpointConfigNotFound } from './endpoint-configs.js';
import { buildDeployment, planOf, retainVariantProperties, weightChanges } from './endpoint-deployments.js';
import { type InferenceStoreDeps, modelNotFound } from './models.js';
import { trafficShiftOf } from './traffic-shift.js';
import { arnExists, createUnique, dropTags, withStatus } from './unique-resource.js';

export interface EndpointServiceDeps extends InferenceStoreDeps {
  readonly fleet: EndpointFleet;
  readonly logger?: Logger;
  /** Data capture follows the deployment that serves (DataCaptureConfig). */
  readonly capture?: { configure(endpoint: string, config: DataCaptureConfig | undefined): void };
}

export interface NewEndpoint {
  readonly EndpointName: string;
  readonly EndpointConfigName: string;
  readonly DeploymentConfig?: unknown;
  readonly Tags?: readonly Tag[];
}

export interface EndpointUpdate {
  readonly EndpointName: string;
  readonly EndpointConfigName: string;
  readonly RetainAllVariantProperties?: boolean;
  readonly ExcludeRetainedVariantProperties?: readonly { readonly VariantPropertyType: string }[];
  readonly DeploymentConfig?: unknown;
  readonly RetainDeploymentConfig?: boolean;
}

export interface WeightsAndCapacitiesUpdate {
  readonly EndpointName: string;
  readonly DesiredWeightsAndCapacities: readonly {
    readonly VariantName: string;
    readonly DesiredWeight?: number;
    readonly DesiredInstanceCount?: number;
    readonly ServerlessUpdateConfig?: unknown;
  }[];
}

/** DescribeEndpoint's material: the stored endpoint and, while its fleet runs, the fleet's view. */
export interface EndpointView {
  readonly endpoint: EndpointRecord;
  readonly live: readonly VariantState[] | undefined;
}

/** SageMaker's answer for an endpoint that does not exist. */
export function endpointNotFound(arn: string) {
  return validationError(`Could not find endpoint "${arn}".`);
}

type Stored = StoredResource<EndpointState>;

function toRecord(r: Stored): EndpointRecord {
  return withStatus<Stored['record'], EndpointStatus>(r);
}

/** The stored endpoint with a new status and operation. */
function begin(current: Stored, status: EndpointStatus, operation: EndpointOperation, at: number): Stored {
  return {
    ...current,
    status,
    lastModifiedTime: at,
    record: { ...current.record, operation, operationStartTime: at },
  };
}

/**
 * CreateEndpoint, DescribeEndpoint, ListEndpoints, UpdateEndpoint,
 * UpdateEndpointWeightsAndCapacities, DeleteEndpoint, and recovery at server start.
 *
 * Fleet operations are started, never awaited by the API call: the endpoint answers
 * `Creating`/`Updating`/`Deleting` at once and its status changes when the operation settles.
 * Operations on one endpoint run one after another; each carries an id, and only the endpoint's
 * current operation may change its status when it settles.
 */
export function createEndpointService(deps: EndpointServiceDeps) {
  const { resources, tags, fleet, scope, now, logger } = deps;
  const arnOf = (name: string) => sagemakerArn(scope, 'endpoint', name);
  const pending = new Map<string, Promise<void>>();
  let closed = false;
  let sequence = 0;
  const nextId = () => `${now()}-${++sequence}`;

  async function getStored(name: string): Promise<Stored> {
    const found = await resources.get<EndpointState>('endpoint', name);
    if (!found) throw endpointNotFound(arnOf(name));
    return found;
  }

  async function deploymentFrom(configName: string): Promise<Deployment> {
    const config = await resources.get<{ definition: EndpointConfigRecord['definition'] }>(
      'endpoint-config',
      configName,
    );
    if (!config) throw endpointConfigNotFound(sagemakerArn(scope, 'endpoint-config', configName));
    const models = new Map<string, ModelRecord>();
    const { ProductionVariants, ShadowProductionVariants = [] } = config.record.definition;
    for (const v of [...ProductionVariants, ...ShadowProductionVariants]) {
      const name = v.ModelName ?? '';
      if (models.has(name)) continue;
      const model = await resources.get<{ definition: ModelRecord['definition'] }>('model', name);
      if (!model) throw modelNotFound(sagemakerArn(scope, 'model', name));
      models.set(name, {
        name: model.name,
        arn: model.arn,
        creationTime: model.creationTime,
        definition: model.record.definition,
      });
    }
    const record: EndpointConfigRecord = {
      name: config.name,
      arn: config.arn,
      creationTime: config.creationTime,
      definition: config.record.definition,
    };
    return buildDeployment(record, models, now());
  }

  /** Records the outcome of operation `id`, unless another operation superseded it. */
  async function finish(name: string, id: string, outcome: Outcome): Promise<void> {
    if (closed) return;
    if (!outcome.ok) logger?.warn('endpoint operation failed', { endpoint: name, reason: outcome.reason });
    try {
      const current = await resources.get<EndpointState>('endpoint', name);
      if (current?.record.operation?.id !== id) return;
      if (current.record.operation.kind === 'remove') {
        await resources.delete('endpoint', name);
        await dropTags(tags, current.arn);
        return;
      }
      await resources.update<EndpointState>('endpoint', name, (cur) => {
        const next = settle(
          { ...cur.record, status: (cur.status ?? 'Failed') as EndpointStatus },
          id,
          outcome,
        );
        return next ? { ...cur, status: next.status, record: next.state, lastModifiedTime: now() } : cur;
      });
    } catch (e) {
      // Deleted meanwhile (ResourceNotFound), or the store is closing: nothing left to record.
      if (!(e instanceof AwsError && e.code === 'ResourceNotFound')) {
        logger?.error('could not record an endpoint operation', { endpoint: name, error: String(e) });
      }
    }
  }

  /** Runs `work` after the endpoint's earlier operations, then records its outcome. */
  function launch(name: string, id: string, work: () => Promise<void>): void {
    const previous = pending.get(name) ?? Promise.resolve();
    const run: Promise<void> = previous
      .then(work)
      .then(
        (): Outcome => ({ ok: true }),
        (e: unknown): Outcome => ({ ok: false, reason: failureReason(e) }),
      )
      .then((outcome) => finish(name, id, outcome))
      .finally(() => {
        if (pending.get(name) === run) pending.delete(name);
      });
    pending.set(name, run);
  }

  /** Runs a fleet change; once it serves `deployment`, capture follows that deployment. */
  async function serve(name: string, deployment: Deployment, change: () => Promise<void>): Promise<void> {
    await change();
    deps.capture?.configure(name, deployment.dataCapture);
  }

  function launchRemove(name: string, id: string): void {
    launch(name, id, async () => {
      try {
        await fleet.remove(name);
      } catch (e) {
        // The record goes anyway: an endpoint must not be stuck in Deleting.
        logger?.warn('the fleet could not remove an endpoint', { endpoint: name, error: String(e) });
      }
    });
  }

  return {
    async create(input: NewEndpoint): Promise<EndpointRecord> {
      const name = input.EndpointName;
      const arn = arnOf(name);
      const id = nextId();
      const stored = await createUnique(deps, {
        kind: 'endpoint',
        name,
        arn,
        exists: validationError(`Cannot create already existing endpoint "${arn}".`),
        build: async (): Promise<Stored> => {
          const deployment = await deploymentFrom(input.EndpointConfigName);
          // Checked now, though only updates use it: a bad config fails the call that gave it.
          trafficShiftOf(input.DeploymentConfig, deployment);
          const at = now();
          return {
            kind: 'endpoint',
            name,
            arn,
            status: 'Creating',
            creationTime: at,
            lastModifiedTime: at,
            record: {
              deployment,
              operation: { id, kind: 'deploy' },
              operationStartTime: at,
              ...(input.DeploymentConfig === undefined ? {} : { deploymentConfig: input.DeploymentConfig }),
            },
          };
        },
        tags: input.Tags,
      });
      const { deployment } = stored.record;
      launch(name, id, () => serve(name, deployment, () => fleet.deploy(planOf(name, deployment))));
      return toRecord(stored);
    },

    async describe(name: string): Promise<EndpointView> {
      const endpoint = toRecord(await getStored(name));
      return { endpoint, live: fleet.state(name) };
    },

    async list(query: ResourceQuery): Promise<EndpointRecord[]> {
      return (await resources.list<EndpointState>('endpoint', query)).map(toRecord);
    },

    async update(input: EndpointUpdate): Promise<EndpointRecord> {
      const name = input.EndpointName;
      const current = await getStored(name);
      const problem = updateProblem(toRecord(current).status, current.arn);
      if (problem) throw validationError(problem);
      let target = await deploymentFrom(input.EndpointConfigName);
      if (input.RetainAllVariantProperties) {
        const excluded = new Set(
          (input.ExcludeRetainedVariantProperties ?? []).map((p) => p.VariantPropertyType),
        );
        target = retainVariantProperties(current.record.deployment, target, excluded);
      }
      const config = input.RetainDeploymentConfig
        ? (input.DeploymentConfig ?? current.record.deploymentConfig)
        : input.DeploymentConfig;
      const shift = trafficShiftOf(config, target);
      const id = nextId();
      const updated = await resources.update<EndpointState>('endpoint', name, (cur) => {
        // Checked again inside the atomic update: two racing updates cannot both start.
        const again = updateProblem((cur.status ?? 'Failed') as EndpointStatus, cur.arn);
        if (again) throw validationError(again);
        const next = begin(cur, 'Updating', { id, kind: 'update', target }, now());
        const { deploymentConfig: _old, ...record } = next.record;
        const deploymentConfig = input.RetainDeploymentConfig
          ? (input.DeploymentConfig ?? cur.record.deploymentConfig)
          : input.DeploymentConfig;
        return { ...next, record: deploymentConfig === undefined ? record : { ...record, deploymentConfig } };
      });
      launch(name, id, () => serve(name, target, () => fleet.update(planOf(name, target), shift)));
      return toRecord(updated);
    },

    async updateWeightsAndCapacities(input: WeightsAndCapacitiesUpdate): Promise<EndpointRecord> {
      const name = input.EndpointName;
      const current = await getStored(name);
      const problem = updateProblem(toRecord(current).status, current.arn);
      if (problem) throw validationError(problem);
      const changes = weightChanges(
        current.record.deployment,
        current.arn,
        input.DesiredWeightsAndCapacities,
      );
      const id = nextId();
      const updated = await resources.update<EndpointState>('endpoint', name, (cur) => {
        const again = updateProblem((cur.status ?? 'Failed') as EndpointStatus, cur.arn);
        if (again) throw validationError(again);
        return begin(cur, 'Updating', { id, kind: 'adjust', changes }, now());
      });
      launch(name, id, () => fleet.adjust(name, changes));
      return toRecord(updated);
    },

    /** The endpoint goes `Deleting`, then disappears once its fleet is removed. */
    async delete(name: string): Promise<void> {
      const current = await getStored(name);
      if (current.status === 'Deleting') return;
      const id = nextId();
      await resources.update<EndpointState>('endpoint', name, (cur) =>
        begin(cur, 'Deleting', { id, kind: 'remove' }, now()),
      );
      // A canary or linear update could hold the endpoint's queue of fleet work for an hour.
      fleet.cancelUpdate(name);
      deps.capture?.configure(name, undefined);
      launchRemove(name, id);
    },

    /** For the tag service: whether an endpoint of this ARN exists. */
    async existsArn(arn: string): Promise<boolean> {
      return arnExists(resources, 'endpoint', arn);
    },

    /**
     * At server start, before requests: endpoints that were serving, starting or updating are
     * deployed again from what they ran (an interrupted update falls back to the old
     * configuration, as a failed update does); endpoints being deleted are finished.
     */
    async recover(): Promise<{ redeployed: string[]; deleted: string[] }> {
      const unfinished = await resources.list<EndpointState>('endpoint', {
        statusIn: ['InService', 'Creating', 'Updating', 'SystemUpdating', 'Deleting'],
        sortBy: 'CreationTime',
        sortOrder: 'Ascending',
      });
      const redeployed: string[] = [];
      const deleted: string[] = [];
      for (const endpoint of unfinished) {
        const { name } = endpoint;
        const id = nextId();
        if (endpoint.status === 'Deleting') {
          await resources.update<EndpointState>('endpoint', name, (cur) =>
            begin(cur, 'Deleting', { id, kind: 'remove' }, now()),
          );
          launchRemove(name, id);
          deleted.push(name);
          continue;
        }
        const creating = endpoint.status === 'Creating';
        const interrupted = endpoint.status === 'Updating' || endpoint.status === 'SystemUpdating';
        await resources.update<EndpointState>('endpoint', name, (cur) => {
          const next = begin(
            cur,
            creating ? 'Creating' : 'InService',
            { id, kind: creating ? 'deploy' : 'redeploy' },
            now(),
          );
          if (!interrupted) return next;
          const reason = `Lathe restarted while the endpoint was updating; it serves its previous configuration "${cur.record.deployment.endpointConfigName}" again.`;
          return { ...next, record: { ...next.record, failureReason: reason } };
        });
        const { deployment } = endpoint.record;
        launch(name, id, () => serve(name, deployment, () => fleet.deploy(planOf(name, deployment))));
        redeployed.push(name);
      }
      return { redeployed, deleted };
    },

    /**
     * At shutdown, before the fleet stops: outcomes are no longer recorded, since operations then
     * fail because the server stops, not the endpoint. `recover()` resumes them at the next start.
     */
    close(): void {
      closed = true;
    },

    /** Resolves once no fleet operation is in flight (tests, orderly shutdown). */
    async idle(): Promise<void> {
      while (pending.size > 0) await Promise.allSettled([...pending.values()]);
    },
  };
}

export type EndpointService = ReturnType<typeof createEndpointService>;
