import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Estimator, type EstimatorDeployOptions, type EstimatorOptions } from './estimator.js';
import { sklearnImageUri } from './image-uris.js';
import type { Predictor } from './predictor.js';
import { Session } from './session.js';
import { tarGz } from './tar-gz.js';

/** A script-mode estimator's options: an {@link EstimatorOptions} plus the user's code. */
export interface FrameworkOptions extends EstimatorOptions {
  /** The training script; relative to `sourceDir` when that is given. */
  readonly entryPoint: string;
  /** A directory packed as `sourcedir.tar.gz` with the script (default: only the script). */
  readonly sourceDir?: string;
  /** The toolkit's log level (default 20, INFO). */
  readonly containerLogLevel?: number;
}

/**
 * Script mode, like the Python SDK's `Framework` estimators (`SKLearn`, `PyTorch`, …): the code
 * is packed as `sourcedir.tar.gz`, uploaded to `s3://<bucket>/<job>/source/`, and every
 * hyperparameter is JSON-encoded, with the toolkit's `sagemaker_*` entries added.
 */
export class Framework extends Estimator {
  declare readonly options: FrameworkOptions;
  /** Where the last job's code was uploaded. */
  uploadedSourceUri?: string;

  constructor(options: FrameworkOptions) {
    const script = options.sourceDir ? join(options.sourceDir, options.entryPoint) : options.entryPoint;
    if (!existsSync(script)) throw new Error(`entryPoint ${script} does not exist`);
    super(options);
  }

  /** The `sagemaker_program` value: the path inside the source directory. */
  get program(): string {
    return this.options.sourceDir ? this.options.entryPoint : basename(this.options.entryPoint);
  }

  protected override async trainingHyperParameters(jobName: string): Promise<Record<string, string>> {
    const o = this.options;
    const bucket = await this.session.defaultBucket();
    const source = await this.session.putObject(
      bucket,
      `${jobName}/source/sourcedir.tar.gz`,
      tarGz(o.sourceDir ?? o.entryPoint),
    );
    this.uploadedSourceUri = source;
    const all: Record<string, unknown> = {
      ...o.hyperParameters,
      sagemaker_program: this.program,
      sagemaker_submit_directory: source,
      sagemaker_container_log_level: o.containerLogLevel ?? 20,
      sagemaker_job_name: jobName,
      sagemaker_region: this.session.region,
    };
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(all)) out[k] = JSON.stringify(v);
    return out;
  }

  /**
   * As {@link Estimator.deploy}; `entryPoint` names a different script of the same source
   * directory to serve with (e.g. an `inference.py` beside `train.py`).
   */
  override async deploy<T = unknown>(
    options: EstimatorDeployOptions<T> & { readonly entryPoint?: string } = {},
  ): Promise<Predictor<T>> {
    const { entryPoint, ...rest } = options;
    return super.deploy<T>(
      entryPoint ? { ...rest, env: { SAGEMAKER_PROGRAM: entryPoint, ...rest.env } } : rest,
    );
  }
}

/** Options of {@link SKLearn}: the image comes from the framework version. */
export interface SKLearnOptions extends Omit<FrameworkOptions, 'imageUri'> {
  /** Default `1.2-1`. */
  readonly frameworkVersion?: string;
  /** Default `py3`. */
  readonly pyVersion?: string;
  /** Overrides the image chosen from the version. */
  readonly imageUri?: string;
}

/** scikit-learn script mode (`sagemaker.sklearn.SKLearn`). */
export class SKLearn extends Framework {
  constructor(options: SKLearnOptions) {
    const session = options.session ?? new Session();
    super({
      ...options,
      session,
      imageUri:
        options.imageUri ?? sklearnImageUri(session.region, options.frameworkVersion, options.pyVersion),
    });
  }
}
