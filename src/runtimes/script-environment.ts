/**
 * The environment and command-line arguments that SageMaker's training toolkit gives a user
 * script (`SM_*` variables, `--name value` arguments). Pure: paths come in, values go out.
 */
export interface MlPaths {
  /** The job's `/opt/ml` equivalent. */
  readonly root: string;
}

export const mlPath = (paths: MlPaths, ...parts: string[]): string => [paths.root, ...parts].join('/');

export interface ScriptContext {
  readonly paths: MlPaths;
  readonly jobName: string;
  readonly jobArn: string;
  readonly region: string;
  readonly hyperParameters: Readonly<Record<string, string>>;
  readonly channels: readonly string[];
  readonly inputDataConfig: Readonly<Record<string, unknown>>;
  readonly resourceConfig: Readonly<Record<string, unknown>>;
  readonly instanceType: string;
  readonly numCpus: number;
  readonly userEnvironment: Readonly<Record<string, string>>;
}

/** The toolkit JSON-decodes each value and falls back to the raw string. */
export function decodeHyperParameter(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Python's `str()` of a JSON value, which is how the toolkit renders arguments. */
export function pythonStr(value: unknown): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

function pythonRepr(value: unknown): string {
  return typeof value === 'string'
    ? `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
    : pythonStr(value);
}

export function userHyperParameters(
  hyperParameters: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(hyperParameters)) {
    if (!k.startsWith('sagemaker_')) out[k] = decodeHyperParameter(v);
  }
  return out;
}

/** `--key value` per user hyperparameter, sorted by key (`-k` for one-letter keys). */
export function scriptArguments(hyperParameters: Readonly<Record<string, string>>): string[] {
  const hps = userHyperParameters(hyperParameters);
  return Object.keys(hps)
    .sort()
    .flatMap((k) => {
      const v = hps[k];
      const rendered =
        v !== null && typeof v === 'object' && !Array.isArray(v)
          ? Object.entries(v as Record<string, unknown>)
              .map(([a, b]) => `${a}=${pythonStr(b)}`)
              .join(',')
          : pythonStr(v);
      return [k.length === 1 ? `-${k}` : `--${k}`, rendered];
    });
}

const toEnvValue = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** The `SM_*` variables plus SageMaker's platform variables, over the user's Environment. */
export function scriptEnvironment(
  ctx: ScriptContext,
  entryPoint: string,
  moduleDir: string,
): Record<string, string> {
  const p = (...parts: string[]) => mlPath(ctx.paths, ...parts);
  const hps = userHyperParameters(ctx.hyperParameters);
  const channels = [...ctx.channels].sort();
  const args = scriptArguments(ctx.hyperParameters);
  const channelDirs = Object.fromEntries(channels.map((c) => [c, p('input', 'data', c)]));
  const frameworkParams = Object.fromEntries(
    Object.entries(ctx.hyperParameters)
      .filter(
        ([k]) =>
          k.startsWith('sagemaker_') && !['sagemaker_program', 'sagemaker_submit_directory'].includes(k),
      )
      .map(([k, v]) => [k, decodeHyperParameter(v)]),
  );
  const moduleName = entryPoint.replace(/\.(py|js|mjs|cjs|ts|mts|sh)$/, '');
  const training = {
    channel_input_dirs: channelDirs,
    current_host: 'algo-1',
    current_instance_type: ctx.instanceType,
    hosts: ['algo-1'],
    hyperparameters: hps,
    input_config_dir: p('input', 'config'),
    input_data_config: ctx.inputDataConfig,
    input_dir: p('input'),
    job_name: ctx.jobName,
    log_level: 20,
    model_dir: p('model'),
    module_dir: moduleDir,
    module_name: moduleName,
    network_interface_name: 'eth0',
    num_cpus: ctx.numCpus,
    num_gpus: 0,
    output_data_dir: p('output', 'data'),
    output_dir: p('output'),
    output_intermediate_dir: p('output', 'intermediate'),
    resource_config: ctx.resourceConfig,
    user_entry_point: entryPoint,
  };
  const env: Record<string, string> = {
    ...ctx.userEnvironment,
    TRAINING_JOB_NAME: ctx.jobName,
    TRAINING_JOB_ARN: ctx.jobArn,
    AWS_REGION: ctx.region,
    SAGEMAKER_JOB_NAME: ctx.jobName,
    SAGEMAKER_REGION: ctx.region,
    CURRENT_HOST: 'algo-1',
    SAGEMAKER_BASE_DIR: ctx.paths.root,
    SM_MODEL_DIR: p('model'),
    SM_CHANNELS: JSON.stringify(channels),
    SM_HPS: JSON.stringify(hps),
    SM_USER_ARGS: JSON.stringify(args),
    SM_CURRENT_HOST: 'algo-1',
    SM_HOSTS: JSON.stringify(['algo-1']),
    SM_CURRENT_INSTANCE_TYPE: ctx.instanceType,
    SM_CURRENT_INSTANCE_GROUP: 'homogeneousCluster',
    SM_CURRENT_INSTANCE_GROUP_HOSTS: JSON.stringify(['algo-1']),
    SM_INSTANCE_GROUPS: JSON.stringify(['homogeneousCluster']),
    SM_IS_HETERO: 'false',
    SM_NETWORK_INTERFACE_NAME: 'eth0',
    SM_NUM_CPUS: String(ctx.numCpus),
    SM_NUM_GPUS: '0',
    SM_NUM_NEURONS: '0',
    SM_INPUT_DIR: p('input'),
    SM_INPUT_CONFIG_DIR: p('input', 'config'),
    SM_OUTPUT_DIR: p('output'),
    SM_OUTPUT_DATA_DIR: p('output', 'data'),
    SM_OUTPUT_INTERMEDIATE_DIR: p('output', 'intermediate'),
    SM_RESOURCE_CONFIG: JSON.stringify(ctx.resourceConfig),
    SM_INPUT_DATA_CONFIG: JSON.stringify(ctx.inputDataConfig),
    SM_USER_ENTRY_POINT: entryPoint,
    SM_MODULE_NAME: moduleName,
    SM_MODULE_DIR: moduleDir,
    SM_FRAMEWORK_PARAMS: JSON.stringify(frameworkParams),
    SM_LOG_LEVEL: '20',
    SM_TRAINING_ENV: JSON.stringify(training),
  };
  for (const c of channels) env[`SM_CHANNEL_${c.toUpperCase()}`] = p('input', 'data', c);
  for (const [k, v] of Object.entries(hps)) env[`SM_HP_${k.toUpperCase()}`] = toEnvValue(v);
  return env;
}
