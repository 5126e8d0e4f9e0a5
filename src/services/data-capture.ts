import {
  type CapturedMessage,
  captureFileName,
  capturePartition,
  captureRecord,
} from '../domain/data-capture.js';
import type { DataCaptureConfig } from '../domain/endpoint-config.js';
import type { Logger } from '../ports/logger.js';
import type { ObjectStore } from '../ports/object-store.js';

export interface DataCaptureDeps {
  readonly objects: ObjectStore;
  readonly logger?: Logger;
  /** Captured records are written at least this often (and when a file reaches 4 MiB). */
  readonly flushIntervalMs: number;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** Buffered capture files beyond this many bytes are written at once. */
const FILE_BYTES = 4 * 1024 * 1024;

/**
 * Data capture of real-time endpoints (DataCaptureConfig): a sampled share of the invocations,
 * buffered per endpoint, variant and hour, and written to S3 as SageMaker lays it out. Best
 * effort, as in SageMaker: a failed write is logged and dropped, never a failed invocation.
 */
export function createDataCaptureService(deps: DataCaptureDeps) {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const configs = new Map<string, { config: DataCaptureConfig; bucket: string; prefix: string }>();
  const buffers = new Map<string, { bucket: string; key: string; lines: string[]; bytes: number }>();
  let writing: Promise<void> = Promise.resolve();

  function write(partitionKey: string): void {
    const buffer = buffers.get(partitionKey);
    if (!buffer) return;
    buffers.delete(partitionKey);
    const body = Buffer.from(`${buffer.lines.join('\n')}\n`);
    const key = `${buffer.key}/${captureFileName(now(), crypto.randomUUID())}`;
    writing = writing.then(() =>
      deps.objects.putObject(buffer.bucket, key, body, { contentType: 'application/jsonl' }).then(
        () => undefined,
        (e: unknown) =>
          deps.logger?.warn('a data capture file could not be written', {
            bucket: buffer.bucket,
            key,
            error: String(e),
          }),
      ),
    );
  }

  const timer = setInterval(() => {
    for (const key of [...buffers.keys()]) write(key);
  }, deps.flushIntervalMs);
  timer.unref();

  return {
    /** The endpoint's capture from now on (its deployment's DataCaptureConfig); undefined: none. */
    configure(endpoint: string, config: DataCaptureConfig | undefined): void {
      const where = config ? /^s3:\/\/([^/]+)\/?(.*)$/.exec(config.DestinationS3Uri) : null;
      if (!config || config.EnableCapture === false || !where) configs.delete(endpoint);
      else configs.set(endpoint, { config, bucket: where[1]!, prefix: where[2]!.replace(/\/+$/, '') });
    },

    /** Whether the endpoint captures at all (the runtime asks before building anything). */
    capturing(endpoint: string): boolean {
      return configs.has(endpoint);
    },

    /** Called for answered invocations; samples, and buffers the record. */
    record(
      endpoint: string,
      variant: string,
      input: CapturedMessage & { readonly inferenceId?: string },
      output: CapturedMessage,
    ): void {
      const target = configs.get(endpoint);
      if (!target || random() * 100 >= target.config.InitialSamplingPercentage) return;
      const at = now();
      const line = captureRecord(target.config, {
        input,
        output,
        eventId: crypto.randomUUID(),
        at,
        ...(input.inferenceId === undefined ? {} : { inferenceId: input.inferenceId }),
      });
      const partition = capturePartition(endpoint, variant, at);
      const key = target.prefix ? `${target.prefix}/${partition}` : partition;
      const bufferKey = `${target.bucket}\n${key}`;
      let buffer = buffers.get(bufferKey);
      if (!buffer) {
        buffer = { bucket: target.bucket, key, lines: [], bytes: 0 };
        buffers.set(bufferKey, buffer);
      }
      buffer.lines.push(line);
      buffer.bytes += line.length + 1;
      if (buffer.bytes >= FILE_BYTES) write(bufferKey);
    },

    /** Writes everything buffered. */
    async flush(): Promise<void> {
      for (const key of [...buffers.keys()]) write(key);
      await writing;
    },

    async close(): Promise<void> {
      clearInterval(timer);
      await this.flush();
    },
  };
}

export type DataCaptureService = ReturnType<typeof createDataCaptureService>;
