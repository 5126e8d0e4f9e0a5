import {
  batchRecords,
  outputKey,
  type RecordRange,
  splitLines,
  type TransformJobRecord,
  type TransformSettings,
  transformEndpointName,
  transformSettings,
} from '../domain/transform-job.js';
import { AwsError } from '../errors/aws-error.js';
import type {
  DeploymentPlan,
  EndpointFleet,
  InferenceRouter,
  InvocationResult,
} from '../ports/endpoint-fleet.js';
import type { Logger } from '../ports/logger.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { TransformExecutor } from '../services/transform-jobs.js';
import { parseS3Uri } from './transfer.js';
import { outputRecords, type RecordProcessor, recordProcessor } from './transform/data-processing.js';
import {
  listTransformInputs,
  readTransformInput,
  s3UriOf,
  type TransformInputObject,
} from './transform/inputs.js';
import { Semaphore } from './transform/semaphore.js';

export interface TransformRunnerDeps {
  readonly objects: ObjectStore;
  readonly fleet: EndpointFleet;
  readonly router: InferenceRouter;
  readonly logger: Logger;
  /** First back-off before retrying a transient invocation failure (doubles per retry). */
  readonly retryDelayMs?: number;
}

/** Invocation failures worth retrying (ModelClientConfig.InvocationsMaxRetries): capacity, a crashed instance. */
const transient = new Set(['ThrottlingException', 'ServiceUnavailable', 'ModelError']);

class Halted extends Error {}

/** Waits for `promise` unless `signal` aborts first (the promise then runs on, unobserved). */
function unlessHalted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Halted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Halted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

const sleep = (ms: number, signal: AbortSignal) =>
  unlessHalted(new Promise((r) => setTimeout(r, ms)), signal);

const lineCount = (body: Buffer) =>
  body
    .toString('utf8')
    .replace(/\r?\n$/, '')
    .split('\n').length;

const excerpt = (body: Buffer) => {
  const text = body.toString('utf8').trim();
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
};

/** One job's execution: the settings, the shared request limit and the first failure. */
interface Execution {
  readonly job: TransformJobRecord;
  readonly settings: TransformSettings;
  readonly processor: RecordProcessor;
  readonly endpointName: string;
  readonly output: { readonly bucket: string; readonly key: string };
  readonly requests: Semaphore;
  /** Aborts on StopTransformJob, shutdown or the first failure. */
  readonly halt: AbortSignal;
}

/**
 * Batch transform execution in the server process: deploys the job's model to a transient,
 * private deployment, streams every input object through it in mini-batches and writes one
 * `.out` object per input. The deployment is removed in every case.
 */
export function createTransformRunner(deps: TransformRunnerDeps): TransformExecutor {
  const { objects, fleet, router, logger } = deps;
  const retryDelayMs = deps.retryDelayMs ?? 200;

  async function invoke(x: Execution, body: Buffer): Promise<InvocationResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await unlessHalted(
          router.invoke(x.endpointName, {
            body,
            ...(x.settings.contentType === undefined ? {} : { contentType: x.settings.contentType }),
            ...(x.settings.accept === undefined ? {} : { accept: x.settings.accept }),
            timeoutMs: x.settings.invocationTimeoutMs,
          }),
          x.halt,
        );
      } catch (e) {
        if (e instanceof Halted || !(e instanceof AwsError) || !transient.has(e.code)) throw e;
        if (attempt >= x.settings.maxRetries) throw e;
        await sleep(retryDelayMs * 2 ** attempt, x.halt);
      }
    }
  }

  /** One request: the records of `range`, their output bytes as assembled. */
  async function transformBatch(
    x: Execution,
    uri: string,
    sent: readonly Buffer[],
    records: readonly Buffer[],
    range: RecordRange,
  ): Promise<Buffer> {
    const count = range.end - range.start;
    const parts: Buffer[] = [];
    for (let i = range.start; i < range.end; i++) {
      if (i > range.start) parts.push(Buffer.from('\n'));
      parts.push(sent[i]!);
    }
    const where =
      x.settings.splitType === 'None'
        ? uri
        : count === 1
          ? `${uri} (record ${range.start + 1})`
          : `${uri} (records ${range.start + 1}-${range.end})`;
    let result: InvocationResult;
    try {
      result = await invoke(x, parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    } catch (e) {
      if (e instanceof Halted) throw e;
      throw new Error(`ClientError: failed to transform ${where}: ${(e as Error).message}`);
    }
    if (result.status < 200 || result.status > 299) {
      throw new Error(
        `ClientError: failed to transform ${where}: the model answered ${result.status}: ${excerpt(result.body)}`,
      );
    }
    if (!x.processor.perRecord) {
      const last = result.body[result.body.length - 1];
      return x.settings.assembleWithLine && result.body.length > 0 && last !== 0x0a
        ? Buffer.concat([result.body, Buffer.from('\n')])
        : result.body;
    }
    const lines = outputRecords(result.body.toString('utf8'), count);
    if (!lines) {
      throw new Error(
        `ClientError: failed to transform ${where}: the model answered ${lineCount(result.body)} lines for ${count} records; JoinSource and OutputFilter need one output line per record (use BatchStrategy SingleRecord or an Accept type with one line per record).`,
      );
    }
    const out = lines.map((line, j) => {
      try {
        const text = x.processor.finish(records[range.start + j]!.toString('utf8'), line, result.contentType);
        return x.settings.assembleWithLine ? `${text}\n` : text;
      } catch (e) {
        throw new Error(
          `ClientError: failed to transform ${uri} (record ${range.start + j + 1}): JoinSource/OutputFilter: ${(e as Error).message}`,
        );
      }
    });
    return Buffer.from(out.join(''));
  }

  async function transformObject(x: Execution, input: TransformInputObject): Promise<void> {
    const uri = s3UriOf(input);
    let data: Buffer;
    try {
      data = await readTransformInput(objects, input, x.settings.gzip);
    } catch (e) {
      const message = (e as Error).message;
      throw new Error(
        message.startsWith('ClientError') ? message : `ClientError: cannot read ${uri}: ${message}`,
      );
    }
    const records = x.settings.splitType === 'Line' ? splitLines(data) : data.length > 0 ? [data] : [];
    const sent = records.map((r, i) => {
      if (!x.processor.perRecord) return r;
      try {
        return Buffer.from(x.processor.filterInput(r.toString('utf8')));
      } catch (e) {
        throw new Error(
          `ClientError: failed to transform ${uri} (record ${i + 1}): InputFilter: ${(e as Error).message}`,
        );
      }
    });
    const batches = batchRecords(
      sent.map((r) => r.length),
      x.settings.batchStrategy,
      x.settings.maxPayloadBytes,
    );
    if (!batches.ok) {
      const what = x.settings.splitType === 'None' ? uri : `record ${batches.tooLarge + 1} of ${uri}`;
      throw new Error(
        `ClientError: ${what} is ${sent[batches.tooLarge]!.length} bytes, larger than MaxPayloadInMB (${x.job.request.MaxPayloadInMB ?? 6} MB).`,
      );
    }
    const outputs: Buffer[] = new Array<Buffer>(batches.batches.length);
    let next = 0;
    // Requests of this object in order; each waits for a slot of the job's request limit.
    const worker = async () => {
      for (let i = next++; i < batches.batches.length; i = next++) {
        await unlessHalted(x.requests.acquire(), x.halt);
        try {
          outputs[i] = await transformBatch(x, uri, sent, records, batches.batches[i]!);
        } finally {
          x.requests.release();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(x.requests.capacity, batches.batches.length) }, worker));
    if (x.halt.aborted) throw new Halted();
    // Written only once the whole object succeeded, as SageMaker does.
    await objects.putObject(
      x.output.bucket,
      outputKey(x.output.key, input.relativeName),
      Buffer.concat(outputs),
      {
        contentType: x.settings.accept ?? 'application/octet-stream',
      },
    );
  }

  async function execute(x: Execution, inputs: readonly TransformInputObject[], fail: (e: unknown) => void) {
    // Objects are spread over the instances: one object per instance at a time.
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < inputs.length && !x.halt.aborted; i = next++) {
        try {
          await transformObject(x, inputs[i]!);
        } catch (e) {
          fail(e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(x.settings.instanceCount, inputs.length) }, worker));
  }

  return {
    async run(job, signal) {
      const settings = transformSettings(job.request);
      const endpointName = transformEndpointName(job.name);
      const halter = new AbortController();
      const stop = () => halter.abort();
      signal.addEventListener('abort', stop, { once: true });
      let failure: unknown;
      const fail = (e: unknown) => {
        if (e instanceof Halted) return;
        failure ??= e;
        halter.abort();
      };
      let deployed = false;
      try {
        const inputs = await listTransformInputs(
          objects,
          job.request.TransformInput.DataSource.S3DataSource,
        ).catch((e: unknown) => {
          const message = (e as Error).message;
          throw new Error(message.startsWith('ClientError') ? message : `ClientError: ${message}`);
        });
        if (signal.aborted) return;
        const plan: DeploymentPlan = {
          endpointName,
          endpointConfigName: endpointName,
          variants: [
            {
              variantName: 'AllTraffic',
              model: job.model,
              initialWeight: 1,
              initialInstanceCount: settings.instanceCount,
            },
          ],
        };
        // Not abortable: a deployment left starting would outlive the job.
        try {
          await fleet.deploy(plan);
          deployed = true;
        } catch (e) {
          throw new Error(`The model ${job.model.modelName} could not be started: ${(e as Error).message}`);
        }
        if (signal.aborted) return;
        const x: Execution = {
          job,
          settings,
          processor: recordProcessor(settings),
          endpointName,
          output: parseS3Uri(job.request.TransformOutput.S3OutputPath),
          requests: new Semaphore(settings.maxConcurrentTransforms * settings.instanceCount),
          halt: halter.signal,
        };
        await execute(x, inputs, fail);
        if (failure !== undefined) throw failure;
      } finally {
        signal.removeEventListener('abort', stop);
        if (deployed) {
          await fleet.remove(endpointName).catch((e: unknown) =>
            logger.warn('could not remove the deployment of a transform job', {
              job: job.name,
              error: String(e),
            }),
          );
        }
      }
    },
  };
}
