import { closeSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createProcessExecutor } from './adapters/executor/process-executor.js';
import { createStderrLogger } from './adapters/logging/stderr-logger.js';
import { openObjectStore } from './adapters/objects/open-object-store.js';
import { duplicateDescriptor } from './adapters/os/duplicate-fd.js';
import { createLocalQueue } from './adapters/queue/local-queue.js';
import { openMetadataStore } from './adapters/sql/open-metadata-store.js';
import { createApp } from './api/app.js';
import { autoscalingOperations } from './api/autoscaling/autoscaling-operations.js';
import { endpointConfigOperations } from './api/control/endpoint-configs.js';
import { endpointOperations } from './api/control/endpoints.js';
import { modelOperations } from './api/control/models.js';
import { tagOperations } from './api/control/tags.js';
import { trainingJobOperations } from './api/control/training-jobs.js';
import { transformJobOperations } from './api/control/transform-jobs.js';
import { FrontThreads } from './api/front/front-threads.js';
import { PASS_ON_IDLE_MS } from './api/front/pass-on.js';
import { logsOperations } from './api/logs/logs-operations.js';
import { createMetricsEndpoint } from './api/metrics-endpoint.js';
import { createRuntimeApi } from './api/runtime/runtime-api.js';
import type { LatheConfig } from './config/config.js';
import { asyncFamilies } from './metrics/async-families.js';
import { endpointFamilies } from './metrics/endpoint-families.js';
import { frontThreadFamilies } from './metrics/front-thread-families.js';
import { trainingJobGauge } from './metrics/training-job-gauge.js';
import type { Logger } from './ports/logger.js';
import { ensureRootCredentials } from './security/credentials.js';
import { createAsyncInvocationService } from './services/async-invocations.js';
import { createAutoscalingService } from './services/autoscaling.js';
import { createDataCaptureService } from './services/data-capture.js';
import { createEndpointConfigService } from './services/endpoint-configs.js';
import { createEndpointMetricsService } from './services/endpoint-metrics.js';
import { createEndpointService } from './services/endpoints.js';
import { createLogReader } from './services/log-reader.js';
import { createModelService } from './services/models.js';
import { createTagService } from './services/tags.js';
import { createTrainingJobService } from './services/training-jobs.js';
import { createTransformJobService } from './services/transform-jobs.js';
import { EmbeddedFleet, type FrontRoute } from './serving/embedded-fleet.js';
import { createEndpointLogSink } from './serving/endpoint-logs.js';
import { instanceFactoryFor } from './serving/instance-factories.js';
import { createTrainingRunner } from './worker/training-runner.js';
import { createTransformRunner } from './worker/transform-runner.js';

export interface RunningLathe {
  readonly url: string;
  /** Undefined when the root key came from the configuration. */
  readonly credentialsFile: string | undefined;
  readonly accessKeyId: string;
  readonly server: Server;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

/**
 * Hands the server's listening socket to the HTTP front threads: each accepts on a duplicate of
 * its descriptor and passes what it does not answer on to `passedOn`; the main thread then stops
 * accepting. Resolves with the main thread's own (never polled) duplicate, from which restarted
 * front threads get theirs and which shutdown closes; undefined when the threads could not
 * start and the main thread keeps accepting.
 */
async function startFronts(
  server: Server,
  passedOn: Server,
  fronts: FrontThreads,
  logger: Logger,
): Promise<number | undefined> {
  // Node has no public accessor for a listening socket's descriptor; the handle has had it for years.
  const fd = (server as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  const spare = typeof fd === 'number' && fd >= 0 ? duplicateDescriptor(fd) : undefined;
  if (spare === undefined) {
    logger.warn('the listening socket cannot be shared here; serving HTTP from the main thread only');
    return undefined;
  }
  await listen(passedOn, 0, '127.0.0.1');
  try {
    await fronts.listen(spare, (passedOn.address() as AddressInfo).port);
  } catch (e) {
    logger.warn('HTTP front threads could not start; serving HTTP from the main thread only', {
      error: String(e),
    });
    await fronts.close();
    closeSync(spare);
    return undefined;
  }
  // The socket stays open through the front threads' descriptors and `spare`.
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return spare;
}

/** Ends a job process left over from a server that died, if the pid still belongs to that job. */
function killOrphan(pid: number | undefined, jobDir: string, logger: Logger): void {
  if (!pid) return;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    if (!cmdline.includes(jobDir) && !environ.includes(jobDir)) return;
    process.kill(-pid, 'SIGKILL');
    logger.warn('ended a job process left by the previous server', { pid });
  } catch {
    // Gone already, or not ours.
  }
}

/**
 * The composition root: configuration → adapters → services → API and worker. The only
 * module that sees every layer.
 */
export async function startLathe(
  config: LatheConfig,
  logger: Logger = createStderrLogger(config.logLevel),
): Promise<RunningLathe> {
  const credentials = ensureRootCredentials(config.dataDir, {
    accessKeyId: config.rootAccessKeyId,
    secretAccessKey: config.rootSecretAccessKey,
  });
  const store = await openMetadataStore(config.metadataUrl ?? `sqlite://${join(config.dataDir, 'lathe.db')}`);
  const objects = await openObjectStore(config.objectStoreUrl, config.dataDir);
  const queue = createLocalQueue(config.maxConcurrentJobs);
  const runner = createTrainingRunner({
    store,
    objects,
    executor: createProcessExecutor(),
    logger,
    dataDir: config.dataDir,
    region: config.region,
    pythonPath: config.pythonPath,
    stopGraceMs: config.stopGraceSeconds * 1000,
    checkpointSyncMs: config.checkpointSyncSeconds * 1000,
    baseEnv: config.childEnv,
    now: Date.now,
  });
  const scope = { region: config.region, accountId: config.accountId };
  const trainingJobs = createTrainingJobService({
    store,
    queue,
    scope,
    now: Date.now,
    stopRunning: runner.stop,
  });

  const tags = createTagService(store, async (type, arn) => {
    if (type === 'model') return models.existsArn(arn);
    if (type === 'endpoint-config') return endpointConfigs.existsArn(arn);
    if (type === 'endpoint') return endpoints.existsArn(arn);
    if (type === 'transform-job') return transformJobs.existsArn(arn);
    if (type !== 'training-job') return undefined;
    // ARNs carry the lower-cased name; the name filter is case-insensitive.
    const jobs = await store.trainingJobs.list({ nameContains: arn.slice(arn.lastIndexOf('/') + 1) });
    return jobs.some((j) => j.arn === arn);
  });

  const endpointLogs = createEndpointLogSink(store);
  const fleet = new EmbeddedFleet({
    objects,
    logger,
    dataDir: config.dataDir,
    accountId: config.accountId,
    factoryFor: (model, modelDir, context) =>
      instanceFactoryFor(model, modelDir, context, {
        objects,
        pythonPath: config.pythonPath,
        baseEnv: config.childEnv,
        startupTimeoutMs: 240_000,
        invocationTimeoutMs: 60_000,
        onLine: endpointLogs.line,
      }),
    stopGraceMs: 30_000,
    maxOutstandingPerInstance: 256,
    instanceWaitMs: 10_000,
    serverlessIdleMs: config.serverlessIdleSeconds * 1000,
    multiModelCapacity: config.multiModelCapacity,
    // Front threads answer an endpoint's invocations only while nothing but the answer matters.
    onRoutingChange: (name): Promise<void> => fronts.publish(name, frontRoute(name)),
    // Called only once requests flow, after endpointMetrics below exists.
    onShadowInvocation: (endpoint, variant, status, modelLatencyUs) =>
      endpointMetrics.recordInvocation(endpoint, variant, status, modelLatencyUs, 0),
  });

  const inference = { resources: store.resources, tags: store.tags, scope, now: Date.now };
  const models = createModelService(inference);
  const endpointConfigs = createEndpointConfigService(inference);
  const capture = createDataCaptureService({
    objects,
    logger,
    flushIntervalMs: config.dataCaptureFlushSeconds * 1000,
  });
  const frontRoute = (name: string): FrontRoute | undefined =>
    capture.capturing(name) ? undefined : fleet.frontRoute(name);
  const endpoints = createEndpointService({
    ...inference,
    fleet,
    logger,
    capture: {
      configure(name, dataCapture) {
        capture.configure(name, dataCapture);
        void fronts.publish(name, frontRoute(name));
      },
    },
  });
  const endpointMetrics = createEndpointMetricsService({
    store: store.endpointMetrics,
    state: (name) => fleet.state(name),
    logger,
  });
  const fronts = new FrontThreads({
    count: config.httpThreads,
    duplicateListener: duplicateDescriptor,
    accessKeyId: credentials.key.accessKeyId,
    secretAccessKey: credentials.key.secretAccessKey,
    maxClockSkewSeconds: config.maxClockSkewSeconds,
    region: config.region,
    accountId: config.accountId,
    logRequests: config.logLevel === 'debug',
    metrics: endpointMetrics,
    logger,
  });
  const asyncInvocations = createAsyncInvocationService({
    queue: store.workQueue,
    resources: store.resources,
    objects,
    router: fleet,
    fleet,
    metrics: endpointMetrics,
    capture,
    logger,
    accountId: config.accountId,
    region: config.region,
  });
  const transformJobs = createTransformJobService({
    ...inference,
    executor: createTransformRunner({ objects, fleet, router: fleet, logger }),
    logger,
  });

  const autoscaling = createAutoscalingService({
    resources: store.resources,
    scope,
    logger,
    now: Date.now,
    variantExists: async (endpoint, variant) =>
      fleet.state(endpoint)?.some((v) => v.variantName === variant) ?? false,
    currentCapacity: (endpoint, variant) =>
      fleet.state(endpoint)?.find((v) => v.variantName === variant)?.currentInstanceCount,
    invocationsPerInstance: (endpoint, variant, window) =>
      endpointMetrics.invocationsPerInstance(endpoint, variant, window * 1000),
    setCapacity: async (endpoint, variant, count) => {
      await endpoints.updateWeightsAndCapacities({
        EndpointName: endpoint,
        DesiredWeightsAndCapacities: [{ VariantName: variant, DesiredInstanceCount: count }],
      });
    },
    intervalMs: config.autoscaleIntervalSeconds * 1000,
    windowSeconds: config.autoscaleWindowSeconds,
  });

  let ready = false;
  const app = createApp({
    logger,
    lookupSecret: (id) => (id === credentials.key.accessKeyId ? credentials.key.secretAccessKey : undefined),
    accountId: config.accountId,
    region: config.region,
    maxJsonBodyBytes: config.maxJsonBodyBytes,
    maxObjectBytes: config.maxObjectBytes,
    maxClockSkewSeconds: config.maxClockSkewSeconds,
    objects,
    sagemaker: {
      ...trainingJobOperations(trainingJobs),
      ...tagOperations(tags),
      ...modelOperations(models),
      ...endpointConfigOperations(endpointConfigs),
      ...endpointOperations(endpoints),
      ...transformJobOperations(transformJobs),
    },
    runtime: createRuntimeApi({
      router: fleet,
      region: config.region,
      accountId: config.accountId,
      metrics: endpointMetrics,
      capture,
      asyncInvocations,
    }),
    metrics: createMetricsEndpoint(
      [
        () => endpointFamilies(endpointMetrics.counters()),
        () => frontThreadFamilies(fronts.counts),
        async () => asyncFamilies(await asyncInvocations.stats()),
        trainingJobGauge(store.trainingJobs),
      ],
      logger,
    ),
    autoscaling: autoscalingOperations(autoscaling),
    logs: logsOperations(createLogReader(store), config.region, config.accountId),
    isReady: () => ready,
    logRequests: config.logLevel === 'debug',
  });

  // Recover before accepting work: orphans ended, unfinished jobs restarted or closed.
  for (const job of await store.trainingJobs.list({ statusIn: ['InProgress', 'Stopping'] })) {
    killOrphan(job.workerPid, join(config.dataDir, 'jobs', job.name), logger);
  }
  const recovered = await trainingJobs.recover();
  if (recovered.restarted.length || recovered.ended.length) logger.info('recovered training jobs', recovered);
  queue.process(runner.run);
  autoscaling.start();
  const recoveredTransforms = await transformJobs.recover();
  if (recoveredTransforms.failed.length || recoveredTransforms.stopped.length) {
    logger.info('recovered transform jobs', recoveredTransforms);
  }
  const recoveredEndpoints = await endpoints.recover();
  if (recoveredEndpoints.redeployed.length || recoveredEndpoints.deleted.length) {
    logger.info('recovered endpoints', recoveredEndpoints);
  }
  endpointMetrics.start();
  asyncInvocations.start();

  const serverOptions = { requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 65_000 };
  const server = createServer(serverOptions, app);
  await listen(server, config.port, config.host);
  // Requests the front threads pass on arrive here, on loopback. Its idle connections outlive the
  // front threads' idle timeout (PASS_ON_IDLE_MS): they always close first, so a request never
  // meets a connection closing under it.
  const passedOn = createServer({ ...serverOptions, keepAliveTimeout: 2 * PASS_ON_IDLE_MS }, app);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  const sharedListener =
    config.httpThreads > 1 ? await startFronts(server, passedOn, fronts, logger) : undefined;
  ready = true;

  let closing: Promise<void> | undefined;
  return {
    url,
    credentialsFile: credentials.file,
    accessKeyId: credentials.key.accessKeyId,
    server,
    close() {
      closing ??= (async () => {
        ready = false;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await fronts.close();
        if (sharedListener !== undefined) closeSync(sharedListener);
        const passedOnClosed = new Promise<void>((resolve) => passedOn.close(() => resolve()));
        passedOn.closeAllConnections();
        await passedOnClosed;
        await runner.stopAll();
        await queue.close();
        await autoscaling.close();
        await transformJobs.close();
        await asyncInvocations.close();
        endpoints.close();
        await fleet.close();
        await capture.close();
        await endpointMetrics.close();
        server.closeAllConnections();
        await closed;
        await objects.close?.();
        await store.close();
      })();
      return closing;
    },
  };
}
