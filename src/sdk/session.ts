import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, type DescribeEndpointCommandOutput } from '@aws-sdk/client-sagemaker';
import { connect, type LatheClients } from './clients.js';
import { UnexpectedStatusError } from './errors.js';

/** How to reach a Lathe server; every field has a default. */
export interface SessionOptions {
  /** Server URL (default `http://127.0.0.1:7070`). */
  readonly endpoint?: string;
  /** AWS region name (default `us-east-1`). */
  readonly region?: string;
  /** An access key; without one, `<dataDir>/credentials` written by `lathe serve` is read. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The server's data directory, for its credentials file (default `./.lathe`). */
  readonly dataDir?: string;
  /** The account in the default bucket's name (default `000000000000`, Lathe's account). */
  readonly accountId?: string;
  /** A bucket to use instead of `sagemaker-<region>-<account>`. */
  readonly defaultBucket?: string;
  /** Clients already connected (the CLI passes its own); the session does not destroy them. */
  readonly clients?: LatheClients;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The SageMaker Python SDK's `sagemaker.Session` for Lathe: the official AWS clients pointed at
 * a server, the default bucket and uploads. Clients are created on first use.
 */
export class Session {
  readonly region: string;
  readonly accountId: string;
  private readonly options: SessionOptions;
  private connected?: LatheClients;
  private bucketReady?: Promise<string>;

  constructor(options: SessionOptions = {}) {
    this.options = options;
    this.region = options.clients?.region ?? options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.connected = options.clients;
  }

  /** The SageMaker, S3, CloudWatch Logs and runtime clients. */
  get clients(): LatheClients {
    this.connected ??= connect({
      endpoint: this.options.endpoint ?? 'http://127.0.0.1:7070',
      region: this.region,
      accessKeyId: this.options.credentials?.accessKeyId,
      secretAccessKey: this.options.credentials?.secretAccessKey,
      dataDir: this.options.dataDir,
    });
    return this.connected;
  }

  /** `sagemaker-<region>-<account>` (or the configured one), created on first call. */
  defaultBucket(): Promise<string> {
    this.bucketReady ??= (async () => {
      const bucket = this.options.defaultBucket ?? `sagemaker-${this.region}-${this.accountId}`;
      const { s3 } = this.clients;
      try {
        await s3.send(new HeadBucketCommand({ Bucket: bucket }));
      } catch {
        await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((e: { name?: string }) => {
          if (e.name !== 'BucketAlreadyOwnedByYou') throw e;
        });
      }
      return bucket;
    })();
    this.bucketReady.catch(() => {
      this.bucketReady = undefined;
    });
    return this.bucketReady;
  }

  /**
   * Uploads a local file or directory under `s3://<bucket>/<keyPrefix>/` and returns its URI:
   * `s3://bucket/prefix/file.csv` for a file, `s3://bucket/prefix` for a directory (as
   * `Session.upload_data` does). `bucket` defaults to the default bucket.
   */
  async uploadData(localPath: string, keyPrefix = 'data', bucket?: string): Promise<string> {
    const target = bucket ?? (await this.defaultBucket());
    const prefix = keyPrefix.replace(/^\/+|\/+$/g, '');
    const isDir = statSync(localPath).isDirectory();
    const files = isDir
      ? (readdirSync(localPath, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
          .filter((e) => e.isFile())
          .map((e) => join(e.parentPath, e.name))
      : [localPath];
    for (const file of files) {
      const rel = isDir ? relative(localPath, file).split(sep).join('/') : basename(file);
      await this.putObject(target, prefix ? `${prefix}/${rel}` : rel, readFileSync(file));
    }
    if (isDir) return `s3://${target}/${prefix}`;
    return `s3://${target}/${prefix ? `${prefix}/` : ''}${basename(localPath)}`;
  }

  /** Writes one object. */
  async putObject(bucket: string, key: string, body: Uint8Array | string): Promise<string> {
    await this.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    return `s3://${bucket}/${key}`;
  }

  /**
   * Polls DescribeEndpoint until the endpoint leaves `Creating`/`Updating`; returns the
   * description if it is `InService`, throws {@link UnexpectedStatusError} otherwise.
   */
  async waitForEndpoint(
    endpointName: string,
    options: { pollMs?: number; timeoutMs?: number } = {},
  ): Promise<DescribeEndpointCommandOutput> {
    const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
    for (;;) {
      const d = await this.clients.sagemaker.send(
        new DescribeEndpointCommand({ EndpointName: endpointName }),
      );
      const status = d.EndpointStatus ?? '';
      if (status === 'InService') return d;
      if (!['Creating', 'Updating', 'SystemUpdating'].includes(status)) {
        throw new UnexpectedStatusError(
          `Error hosting endpoint ${endpointName}: ${status}. Reason: ${d.FailureReason ?? '(none)'}`,
          status,
          ['InService'],
        );
      }
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for endpoint ${endpointName} (${status})`);
      await sleep(options.pollMs ?? 250);
    }
  }

  /** Destroys the clients this session created (not ones passed in). */
  close(): void {
    if (this.connected && this.connected !== this.options.clients) this.connected.destroy();
    this.connected = this.options.clients;
  }
}
