import { Estimator, type EstimatorOptions } from './estimator.js';
import { xgboostImageUri } from './image-uris.js';
import { Session } from './session.js';

/** Options of {@link XGBoost}: an estimator whose image is the built-in algorithm's. */
export interface XGBoostOptions extends Omit<EstimatorOptions, 'imageUri'> {
  /** Default `1.7-1`. */
  readonly frameworkVersion?: string;
  /** Overrides the image chosen from the version and the session's region. */
  readonly imageUri?: string;
}

/**
 * Built-in XGBoost: an {@link Estimator} with `sagemaker-xgboost:<version>` for the session's
 * region (what the Python SDK does with `image_uris.retrieve('xgboost', region, '1.7-1')`).
 * Hyperparameters are the algorithm's (`num_round`, `objective`, …). CSV inputs need
 * `text/csv`, which `fit` infers from a `.csv` name; otherwise pass a `TrainingInput`.
 */
export class XGBoost extends Estimator {
  constructor(options: XGBoostOptions) {
    const session = options.session ?? new Session();
    super({
      ...options,
      session,
      imageUri: options.imageUri ?? xgboostImageUri(session.region, options.frameworkVersion),
    });
  }
}
