import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Lathe's configuration: one schema, defaults < file (`LATHE_CONFIG`) < environment < flags,
 * validated once and frozen. This module is the only reader of `process.env` (see
 * docs/configuration.md for every setting).
 */
export const configSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(7070),
    dataDir: z.string().min(1).default('./.lathe'),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'region must look like us-east-1')
      .default('us-east-1'),
    accountId: z
      .string()
      .regex(/^\d{12}$/, 'accountId must be 12 digits')
      .default('000000000000'),
    rootAccessKeyId: z.string().min(16).max(128).optional(),
    rootSecretAccessKey: z.string().min(16).max(128).optional(),
    /** Empty: SQLite at `<dataDir>/lathe.db`; `postgres://…` for PostgreSQL. */
    metadataUrl: z.string().optional(),
    /** Empty: the embedded directory store; `s3+http(s)://KEY:SECRET@host:port` for an S3-compatible server. */
    objectStoreUrl: z.string().optional(),
    /** How many training jobs run at once (SageMaker's "instances"); later ones queue. */
    maxConcurrentJobs: z.coerce.number().int().min(1).max(256).default(2),
    /** Interpreter for Python script mode. Debian's sees python3-sklearn, -xgboost, -torch. */
    pythonPath: z
      .string()
      .min(1)
      .default(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'),
    /** Grace period between SIGTERM and SIGKILL when a job is stopped (SageMaker: 120 s). */
    stopGraceSeconds: z.coerce.number().min(0).max(3600).default(120),
    /** How often a running job's checkpoints are uploaded to CheckpointConfig.S3Uri. */
    checkpointSyncSeconds: z.coerce.number().min(0.1).max(3600).default(5),
    /** How often autoscaling policies are evaluated. */
    autoscaleIntervalSeconds: z.coerce.number().min(0.1).max(3600).default(60),
    /** The window over which SageMakerVariantInvocationsPerInstance is measured (at most 300 s). */
    autoscaleWindowSeconds: z.coerce.number().min(1).max(300).default(60),
    /** A serverless endpoint variant with no request for this long stops its instance. */
    serverlessIdleSeconds: z.coerce.number().min(0.1).max(86400).default(300),
    multiModelCapacity: z.coerce.number().int().min(1).max(10000).default(32),
    /**
     * Threads that accept HTTP connections on the one port: 1, the main thread; more, that many
     * front threads, which answer in-process invocations themselves and pass every other
     * request on to the main thread.
     */
    httpThreads: z.coerce.number().int().min(1).max(64).default(Math.min(4, availableParallelism())),
    dataCaptureFlushSeconds: z.coerce.number().min(0.1).max(3600).default(10),
    /** Largest JSON request body accepted by the control plane and CloudWatch Logs. */
    maxJsonBodyBytes: z.coerce
      .number()
      .int()
      .min(1024)
      .default(8 * 1024 * 1024),
    /** Largest single PutObject / UploadPart body (S3's limit is 5 GiB). */
    maxObjectBytes: z.coerce
      .number()
      .int()
      .min(1024)
      .default(5 * 1024 * 1024 * 1024),
    /** Allowed clock skew for signed requests. */
    maxClockSkewSeconds: z.coerce
      .number()
      .int()
      .min(1)
      .default(15 * 60),
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  })
  // A misspelt key in the LATHE_CONFIG file must not be silently ignored.
  .strict();

export type LatheConfig = Readonly<
  z.infer<typeof configSchema> & {
    /** Variables job processes inherit from Lathe's own environment (never credentials). */
    childEnv: Readonly<Record<string, string>>;
  }
>;

const inheritedNames =
  /^(PATH|HOME|USER|LANG|LANGUAGE|LC_[A-Z]+|TZ|TMPDIR|TERM|PYTHONPATH|NODE_PATH|OPENBLAS_[A-Z0-9_]+|OMP_[A-Z_]+|MKL_[A-Z_]+|LD_LIBRARY_PATH)$/;

function childEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] => inheritedNames.test(e[0]) && typeof e[1] === 'string',
    ),
  );
}
export type ConfigInput = z.input<typeof configSchema>;

const envNames: Record<string, keyof ConfigInput> = {
  LATHE_HOST: 'host',
  LATHE_PORT: 'port',
  LATHE_DATA_DIR: 'dataDir',
  LATHE_REGION: 'region',
  LATHE_ACCOUNT_ID: 'accountId',
  LATHE_ROOT_ACCESS_KEY_ID: 'rootAccessKeyId',
  LATHE_ROOT_SECRET_ACCESS_KEY: 'rootSecretAccessKey',
  LATHE_OBJECT_STORE_URL: 'objectStoreUrl',
  LATHE_METADATA_URL: 'metadataUrl',
  LATHE_MAX_CONCURRENT_JOBS: 'maxConcurrentJobs',
  LATHE_PYTHON: 'pythonPath',
  LATHE_STOP_GRACE_SECONDS: 'stopGraceSeconds',
  LATHE_CHECKPOINT_SYNC_SECONDS: 'checkpointSyncSeconds',
  LATHE_SERVERLESS_IDLE_SECONDS: 'serverlessIdleSeconds',
  LATHE_MULTI_MODEL_CAPACITY: 'multiModelCapacity',
  LATHE_HTTP_THREADS: 'httpThreads',
  LATHE_DATA_CAPTURE_FLUSH_SECONDS: 'dataCaptureFlushSeconds',
  LATHE_AUTOSCALE_INTERVAL_SECONDS: 'autoscaleIntervalSeconds',
  LATHE_AUTOSCALE_WINDOW_SECONDS: 'autoscaleWindowSeconds',
  LATHE_LOG_LEVEL: 'logLevel',
};

/** Builds the frozen configuration. Throws a readable error naming the bad setting. */
export function loadConfig(
  flags: Partial<ConfigInput> = {},
  env: NodeJS.ProcessEnv = process.env,
): LatheConfig {
  const fromFile = env.LATHE_CONFIG ? JSON.parse(readFileSync(env.LATHE_CONFIG, 'utf8')) : {};
  const fromEnv: Record<string, string> = {};
  for (const [name, key] of Object.entries(envNames)) {
    const value = env[name];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const definedFlags = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const parsed = configSchema.safeParse({ ...fromFile, ...fromEnv, ...definedFlags });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  if (Boolean(parsed.data.rootAccessKeyId) !== Boolean(parsed.data.rootSecretAccessKey)) {
    throw new Error(
      'Invalid configuration: LATHE_ROOT_ACCESS_KEY_ID and LATHE_ROOT_SECRET_ACCESS_KEY go together',
    );
  }
  return Object.freeze({
    ...parsed.data,
    dataDir: resolve(parsed.data.dataDir),
    childEnv: Object.freeze(childEnvironment(env)),
  });
}

/** Where the `lathe` client commands find the server and their credentials. */
export interface ClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly dataDir: string;
  /** From AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY when set; else the data dir's credentials file is read. */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
}

export function loadClientConfig(
  flags: { endpoint?: string; dataDir?: string; region?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
): ClientConfig {
  const port = env.LATHE_PORT || '7070';
  return Object.freeze({
    endpoint: flags.endpoint ?? env.LATHE_ENDPOINT_URL ?? `http://127.0.0.1:${port}`,
    region: flags.region ?? env.LATHE_REGION ?? env.AWS_REGION ?? 'us-east-1',
    dataDir: resolve(flags.dataDir ?? env.LATHE_DATA_DIR ?? './.lathe'),
    accessKeyId: env.AWS_ACCESS_KEY_ID || undefined,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY || undefined,
  });
}
