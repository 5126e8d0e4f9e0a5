import type { LatheClients } from '../sdk/clients.js';
import { Estimator } from '../sdk/estimator.js';
import { xgboostImageUri } from '../sdk/image-uris.js';
import { type DeployOptions, Model } from '../sdk/model.js';
import { nameFromBase } from '../sdk/names.js';
import { Session } from '../sdk/session.js';

export interface DeployCliOptions {
  readonly name?: string;
  readonly instances: number;
  readonly instanceType: string;
  readonly serverless?: boolean;
  readonly memory: number;
  readonly maxConcurrency: number;
  readonly image?: string;
  readonly env: readonly string[];
  readonly wait: boolean;
}

const defaultRole = 'arn:aws:iam::000000000000:role/lathe';

function parseEnv(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i < 1) throw new Error(`--env expects KEY=VALUE, got '${pair}'`);
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

/**
 * `lathe deploy <training-job|s3-model-data>`: serves a training job's model (its image and
 * ModelArtifacts) or a model archive in S3, waits for InService and says how to invoke it.
 */
export async function deployCommand(
  clients: LatheClients,
  source: string,
  options: DeployCliOptions,
): Promise<void> {
  const session = new Session({ clients });
  const env = parseEnv(options.env);
  const deploy: DeployOptions = {
    endpointName: options.name,
    wait: options.wait,
    ...(options.serverless
      ? { serverless: { memorySizeInMB: options.memory, maxConcurrency: options.maxConcurrency } }
      : { initialInstanceCount: options.instances, instanceType: options.instanceType }),
  };
  const where = options.serverless
    ? `serverless, ${options.memory} MB, max concurrency ${options.maxConcurrency}`
    : `${options.instances} × ${options.instanceType}`;
  let endpointName: string;
  if (source.startsWith('s3://')) {
    const model = new Model({
      imageUri: options.image ?? xgboostImageUri(session.region),
      modelData: source,
      role: defaultRole,
      env,
      session,
    });
    const modelName = await model.create();
    process.stdout.write(`Model ${modelName} (${model.imageUri}, ${source})\n`);
    process.stdout.write(`Creating endpoint ${options.name ?? modelName} (${where})\n`);
    endpointName = (await model.deploy(deploy)).endpointName;
  } else {
    const estimator = await Estimator.attach(source, session);
    const model = await estimator.createModel({ imageUri: options.image, env, name: nameFromBase(source) });
    const modelName = await model.create();
    process.stdout.write(`Model ${modelName} (${model.imageUri}, ${model.modelData})\n`);
    process.stdout.write(`Creating endpoint ${options.name ?? source} (${where})\n`);
    endpointName = (await model.deploy({ ...deploy, endpointName: options.name ?? source })).endpointName;
  }
  if (!options.wait) {
    process.stdout.write(
      `Endpoint ${endpointName} is Creating; see: lathe endpoints describe ${endpointName}\n`,
    );
    return;
  }
  process.stdout.write(
    `Endpoint ${endpointName} is InService.\n\n` +
      'Invoke it:\n' +
      `  lathe invoke ${endpointName} --content-type text/csv --body '<comma-separated features>'\n` +
      `  lathe invoke ${endpointName} --content-type text/csv --body @rows.csv\n` +
      `  aws sagemaker-runtime invoke-endpoint --endpoint-url ${clients.endpoint} --endpoint-name ${endpointName} \\\n` +
      '      --content-type text/csv --body fileb://rows.csv /dev/stdout\n' +
      `Delete it: lathe endpoints delete ${endpointName}\n`,
  );
}
