import {
  type Channel,
  CreateTrainingJobCommand,
  type DescribeTrainingJobCommandOutput,
  type MetricDefinition,
  type Tag,
  type TrainingInstanceType,
} from '@aws-sdk/client-sagemaker';
import { servingImageFor } from './image-uris.js';
import { type DeployOptions, Model } from './model.js';
import { baseNameFromImage, nameFromBase } from './names.js';
import type { Predictor } from './predictor.js';
import { Session } from './session.js';
import { type ChannelInput, TrainingInput, toTrainingInput } from './training-input.js';
import { type LogsOption, TrainingJob } from './training-job.js';

/** A hyperparameter value; sent as a string. */
export type HyperParameterValue = string | number | boolean;

/** What an {@link Estimator} is configured with (the Python SDK's `Estimator` arguments). */
export interface EstimatorOptions {
  /** The training image. */
  readonly imageUri: string;
  /** Execution role ARN. */
  readonly role: string;
  /** Default 1. */
  readonly instanceCount?: number;
  /** Default `ml.m5.large`. */
  readonly instanceType?: string;
  /** Default 30. */
  readonly volumeSizeInGB?: number;
  readonly hyperParameters?: Readonly<Record<string, HyperParameterValue>>;
  /** `S3OutputPath` (default `s3://<default bucket>/`). */
  readonly outputPath?: string;
  /** `MaxRuntimeInSeconds` (default 86400). */
  readonly maxRunSeconds?: number;
  /** Metrics to scrape from the logs: `[{ Name: 'auc', Regex: 'auc:([0-9.]+)' }]`. */
  readonly metricDefinitions?: readonly MetricDefinition[];
  /** Environment variables of the training container. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Job names are `<baseJobName>-<timestamp>` (default: the image's repository name). */
  readonly baseJobName?: string;
  /** Default `File`. */
  readonly inputMode?: 'File' | 'Pipe' | 'FastFile';
  readonly tags?: readonly Tag[];
  readonly session?: Session;
}

/** The channels of `fit`: one input is the `training` channel, as in the Python SDK. */
export type FitInputs = ChannelInput | Readonly<Record<string, ChannelInput | undefined>>;

/** Options of {@link Estimator.fit}. */
export interface FitOptions {
  /** Wait for the job to end (default true). */
  readonly wait?: boolean;
  /** Stream the job's logs while waiting: `true` (default) prints them, a function receives them. */
  readonly logs?: LogsOption;
  /** Default `<baseJobName>-<timestamp>`. */
  readonly jobName?: string;
}

/** Options of {@link Estimator.createModel}. */
export interface CreateModelOptions {
  /** Default: the serving twin of the training image. */
  readonly imageUri?: string;
  /** Merged over what the estimator sets. */
  readonly env?: Readonly<Record<string, string>>;
  readonly name?: string;
  readonly role?: string;
}

/** Options of {@link Estimator.deploy}: the model's and the endpoint's. */
export type EstimatorDeployOptions<T = unknown> = DeployOptions<T> & {
  readonly modelName?: string;
  readonly imageUri?: string;
  readonly env?: Readonly<Record<string, string>>;
};

function decodeHyperParameter(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'string' ? parsed : value;
  } catch {
    return value;
  }
}

/**
 * Trains with any image, like the Python SDK's `sagemaker.estimator.Estimator`: `fit` uploads
 * local inputs, creates the training job and follows its logs; `deploy` serves the model.
 */
export class Estimator {
  readonly options: EstimatorOptions;
  readonly session: Session;
  /** The job of the last `fit` (or `attach`). */
  latestTrainingJob?: TrainingJob;

  constructor(options: EstimatorOptions) {
    this.options = options;
    this.session = options.session ?? new Session();
  }

  get imageUri(): string {
    return this.options.imageUri;
  }

  /** The model artifact of the last job, once it completed (`model_data`). */
  get modelData(): string | undefined {
    return this.latestTrainingJob?.description?.ModelArtifacts?.S3ModelArtifacts;
  }

  /** The hyperparameters a job is created with; script-mode estimators encode and add to them. */
  protected async trainingHyperParameters(_jobName: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.options.hyperParameters ?? {})) out[k] = String(v);
    return out;
  }

  /** Local paths are uploaded to `s3://<default bucket>/<job>/input/<channel>/`. */
  private async channels(inputs: FitInputs, jobName: string): Promise<Channel[]> {
    const named: [string, ChannelInput][] =
      typeof inputs === 'string' || !isRecord(inputs)
        ? [['training', inputs]]
        : Object.entries(inputs).filter((e): e is [string, ChannelInput] => e[1] !== undefined);
    const out: Channel[] = [];
    for (const [channel, given] of named) {
      const input = toTrainingInput(given);
      let uri = input.s3Data;
      if (!uri.startsWith('s3://')) {
        const prefix = `${jobName}/input/${channel}`;
        await this.session.uploadData(uri, prefix);
        // A file or a folder alike: the channel is the folder it was uploaded into.
        uri = `s3://${await this.session.defaultBucket()}/${prefix}/`;
      }
      out.push(input.toChannel(channel, uri));
    }
    return out;
  }

  /** Starts a training job and (by default) waits for it, streaming its logs. */
  async fit(inputs: FitInputs, options: FitOptions = {}): Promise<TrainingJob> {
    const o = this.options;
    const jobName = options.jobName ?? nameFromBase(o.baseJobName ?? baseNameFromImage(o.imageUri));
    const outputPath = o.outputPath ?? `s3://${await this.session.defaultBucket()}/`;
    await this.session.clients.sagemaker.send(
      new CreateTrainingJobCommand({
        TrainingJobName: jobName,
        AlgorithmSpecification: {
          TrainingImage: o.imageUri,
          TrainingInputMode: o.inputMode ?? 'File',
          ...(o.metricDefinitions?.length ? { MetricDefinitions: [...o.metricDefinitions] } : {}),
        },
        RoleArn: o.role,
        HyperParameters: await this.trainingHyperParameters(jobName),
        InputDataConfig: await this.channels(inputs, jobName),
        OutputDataConfig: { S3OutputPath: outputPath },
        ResourceConfig: {
          // Any `ml.*` name: Lathe runs every instance type on this machine.
          InstanceType: (o.instanceType ?? 'ml.m5.large') as TrainingInstanceType,
          InstanceCount: o.instanceCount ?? 1,
          VolumeSizeInGB: o.volumeSizeInGB ?? 30,
        },
        StoppingCondition: { MaxRuntimeInSeconds: o.maxRunSeconds ?? 86400 },
        ...(o.environment ? { Environment: { ...o.environment } } : {}),
        ...(o.tags?.length ? { Tags: [...o.tags] } : {}),
      }),
    );
    this.latestTrainingJob = new TrainingJob(jobName, this.session);
    if (options.wait ?? true) await this.latestTrainingJob.wait({ logs: options.logs ?? true });
    return this.latestTrainingJob;
  }

  /** The completed job's description; describes it again if `fit` did not wait. */
  private async completedJob(): Promise<DescribeTrainingJobCommandOutput> {
    const job = this.latestTrainingJob;
    if (!job) throw new Error('This estimator has no training job yet: call fit() first.');
    const d = job.description?.TrainingJobStatus === 'Completed' ? job.description : await job.describe();
    if (d.TrainingJobStatus !== 'Completed' || !d.ModelArtifacts?.S3ModelArtifacts) {
      throw new Error(`Training job ${job.name} is ${d.TrainingJobStatus}: it has no model to deploy.`);
    }
    return d;
  }

  /**
   * The model of the last job: its artifact, the serving image, and for script-mode jobs
   * `SAGEMAKER_PROGRAM`/`SAGEMAKER_SUBMIT_DIRECTORY` from the job's hyperparameters.
   */
  async createModel(options: CreateModelOptions = {}): Promise<Model> {
    const job = await this.completedJob();
    const hps = job.HyperParameters ?? {};
    const program = decodeHyperParameter(hps.sagemaker_program);
    const submit = decodeHyperParameter(hps.sagemaker_submit_directory);
    const scriptEnv: Record<string, string> = program
      ? {
          SAGEMAKER_PROGRAM: program,
          ...(submit ? { SAGEMAKER_SUBMIT_DIRECTORY: submit } : {}),
          SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
          SAGEMAKER_REGION: this.session.region,
        }
      : {};
    return new Model({
      imageUri:
        options.imageUri ?? servingImageFor(job.AlgorithmSpecification?.TrainingImage ?? this.imageUri),
      modelData: job.ModelArtifacts!.S3ModelArtifacts!,
      role: options.role ?? job.RoleArn ?? this.options.role,
      env: { ...scriptEnv, ...options.env },
      name: options.name,
      session: this.session,
    });
  }

  /**
   * Serves the last job's model: creates the model, an endpoint configuration and an endpoint
   * (named after the training job unless `endpointName` is given) and returns a predictor.
   */
  async deploy<T = unknown>(options: EstimatorDeployOptions<T> = {}): Promise<Predictor<T>> {
    const { modelName, imageUri, env, ...deploy } = options;
    const model = await this.createModel({ name: modelName, imageUri, env });
    return model.deploy<T>({ ...deploy, endpointName: deploy.endpointName ?? this.latestTrainingJob!.name });
  }

  /** An estimator for an existing training job (`Estimator.attach`). */
  static async attach(trainingJobName: string, session: Session = new Session()): Promise<Estimator> {
    const job = new TrainingJob(trainingJobName, session);
    const d = await job.describe();
    const estimator = new Estimator({
      imageUri: d.AlgorithmSpecification?.TrainingImage ?? '',
      role: d.RoleArn ?? '',
      instanceCount: d.ResourceConfig?.InstanceCount,
      instanceType: d.ResourceConfig?.InstanceType,
      hyperParameters: d.HyperParameters,
      outputPath: d.OutputDataConfig?.S3OutputPath,
      maxRunSeconds: d.StoppingCondition?.MaxRuntimeInSeconds,
      metricDefinitions: d.AlgorithmSpecification?.MetricDefinitions,
      environment: d.Environment,
      session,
    });
    estimator.latestTrainingJob = job;
    return estimator;
  }
}

function isRecord(x: unknown): x is Readonly<Record<string, ChannelInput | undefined>> {
  return typeof x === 'object' && x !== null && !(x instanceof TrainingInput);
}
