import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';

/** Official AWS SDK clients pointed at a Lathe server. */
export interface LatheClients {
  readonly sagemaker: SageMakerClient;
  readonly s3: S3Client;
  readonly logs: CloudWatchLogsClient;
  /** InvokeEndpoint (signed with service name `sagemaker`, like the control plane). */
  readonly runtime: SageMakerRuntimeClient;
  readonly endpoint: string;
  readonly region: string;
  destroy(): void;
}

export interface ConnectOptions {
  readonly endpoint: string;
  readonly region?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** Where `lathe serve` wrote `credentials` (profile `lathe`), used when no key is given. */
  readonly dataDir?: string;
}

function credentialsFrom(options: ConnectOptions): { accessKeyId: string; secretAccessKey: string } {
  if (options.accessKeyId && options.secretAccessKey) {
    return { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey };
  }
  const file = join(options.dataDir ?? '.lathe', 'credentials');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(
      `No credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or point --data-dir at the server's data directory (${file} not found).`,
    );
  }
  const id = /aws_access_key_id\s*=\s*(\S+)/.exec(text)?.[1];
  const secret = /aws_secret_access_key\s*=\s*(\S+)/.exec(text)?.[1];
  if (!id || !secret) throw new Error(`${file} does not hold an access key pair.`);
  return { accessKeyId: id, secretAccessKey: secret };
}

/** Builds the official clients for a Lathe server; credentials from the options or `<dataDir>/credentials`. */
export function connect(options: ConnectOptions): LatheClients {
  const region = options.region ?? 'us-east-1';
  const common = { endpoint: options.endpoint, region, credentials: credentialsFrom(options) };
  const sagemaker = new SageMakerClient(common);
  const s3 = new S3Client({ ...common, forcePathStyle: true });
  const logs = new CloudWatchLogsClient(common);
  const runtime = new SageMakerRuntimeClient(common);
  return {
    sagemaker,
    s3,
    logs,
    runtime,
    endpoint: options.endpoint,
    region,
    destroy() {
      sagemaker.destroy();
      s3.destroy();
      logs.destroy();
      runtime.destroy();
    },
  };
}
