import {
  type DecodedRows,
  decodeRequest,
  encodePredictions,
  type InvocationError,
  requestFormat,
  responseFormat,
} from './codecs.js';
import type { XgboostServingModel } from './load-model.js';
import { encodeSelected, parseSelectedKeys, selectPredictions } from './selectable-output.js';

/** One `/invocations` answer. */
export interface InvocationResponse {
  readonly status: number;
  readonly body: Buffer | string;
  readonly contentType: string;
}

/** A loaded model answering `/invocations` requests synchronously (meant for a worker thread). */
export interface XgboostPredictor {
  invoke(body: Buffer, contentType: string | undefined, accept: string | undefined): InvocationResponse;
  /** Frees the native model; invoke() must not be called afterwards. */
  close(): void;
  /** The loaded model (objective, evaluator or fallback), for logging and tests. */
  readonly model: XgboostServingModel;
}

/** The container environment variables serving reads, validated once. */
export interface XgboostServingOptions {
  /** SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT, else `text/csv` (the container's default). */
  readonly defaultAccept: string;
  /** SAGEMAKER_BATCH set to any non-empty value (Python's `if os.getenv(...)` truthiness). */
  readonly batch: boolean;
  /** Parsed SAGEMAKER_INFERENCE_OUTPUT keys; undefined when the variable is absent. */
  readonly selectedKeys?: readonly string[];
}

/** Reads the serving options from a container environment. */
export function servingOptions(env: Readonly<Record<string, string | undefined>>): XgboostServingOptions {
  const selected = env['SAGEMAKER_INFERENCE_OUTPUT'];
  return Object.freeze({
    defaultAccept: env['SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT'] || 'text/csv',
    batch: Boolean(env['SAGEMAKER_BATCH']),
    selectedKeys: selected === undefined ? undefined : Object.freeze(parseSelectedKeys(selected)),
  });
}

/**
 * One `/invocations` request end to end, as an instance answers it: a failure inside prediction
 * becomes the container's 500 rather than an exception.
 */
export function answerInvocation(
  predictor: XgboostPredictor,
  body: Buffer,
  contentType: string | undefined,
  accept: string | undefined,
): InvocationResponse {
  try {
    return predictor.invoke(body, contentType, accept);
  } catch (e) {
    return {
      status: 500,
      body: `Unable to evaluate payload provided: ${(e as Error).message}`,
      contentType: 'text/plain',
    };
  }
}

const text = (e: InvocationError): InvocationResponse => ({
  status: e.status,
  body: e.message,
  contentType: 'text/plain; charset=utf-8',
});

/**
 * The request handler over a loaded model. The order of checks is the container's
 * (`serve.py invocations`): empty body → 204; Content-Type and payload → 415; prediction → 400
 * `Unable to evaluate payload provided: ...`; Accept → 406; selectable output errors → 500.
 */
export function predictorFor(
  model: XgboostServingModel,
  env: Readonly<Record<string, string | undefined>>,
): XgboostPredictor {
  const options = servingOptions(env);
  let closed = false;
  return {
    model,
    invoke(body, contentType, accept) {
      if (closed) throw new Error('XgboostPredictor used after close()');
      if (body.length === 0) return { status: 204, body: '', contentType: 'text/plain; charset=utf-8' };
      const format = requestFormat(contentType);
      if (typeof format !== 'string') return text(format);
      const data = decodeRequest(body, format);
      if (!data.ok) return text(data);
      const preds = predict(model, data);
      if (!(preds instanceof Float32Array)) return text(preds);
      const out = responseFormat(accept, options.defaultAccept);
      if (typeof out !== 'string') return text(out);
      const width = model.outputsPerRow;
      if (options.selectedKeys) {
        const records = selectPredictions(
          preds,
          data.rows,
          width,
          options.selectedKeys,
          model.objective,
          model.numClass,
        );
        if (!Array.isArray(records)) return text(records);
        return {
          status: 200,
          body: encodeSelected(records, options.selectedKeys, out, options.batch),
          contentType: out,
        };
      }
      return {
        status: 200,
        body: encodePredictions(preds, data.rows, width, out, options.batch),
        contentType: out,
      };
    },
    close() {
      if (closed) return;
      closed = true;
      model.close();
    },
  };
}

/**
 * Predicts decoded rows: more columns than the model has features is libxgboost's check failure
 * (400); fewer columns leave the rest missing, as libxgboost does for a narrower DMatrix.
 */
/** From this many rows per request, predictions come from libxgboost rather than the evaluator. */
export const NATIVE_BATCH_ROWS = 256;

export function predict(model: XgboostServingModel, data: DecodedRows): Float32Array | InvocationError {
  const { rows, cols } = data;
  if (cols > model.numFeature) {
    return {
      ok: false,
      status: 400,
      message: `Unable to evaluate payload provided: Check failed: learner_model_param_.num_feature >= p_fmat->Info().num_col_ (${model.numFeature} vs. ${cols}) : Number of columns does not match number of features in booster.`,
    };
  }
  try {
    const native = model.native;
    if (!model.evaluator) {
      if (!native) throw new Error('the model has neither an evaluator nor libxgboost');
      if (rows === 0) return new Float32Array(0);
      return native.predictMatrix(data.values, rows, cols, model.ntreeLimit);
    }
    // Large batches go to libxgboost's in-place prediction: per row it is faster than the
    // evaluator there (1.2 vs 1.9 µs at 1,000 rows, test/bench/xgboost-predict.mjs), and it is
    // the reference the evaluator is checked against at load time.
    if (rows >= NATIVE_BATCH_ROWS && native) {
      return cols === model.numFeature
        ? native.predictDense(data.values, rows, cols, model.iterationEnd)
        : native.predictMatrix(data.values, rows, cols, model.ntreeLimit);
    }
    let x = data.values;
    if (cols < model.numFeature) {
      x = new Float32Array(rows * model.numFeature).fill(Number.NaN);
      for (let r = 0; r < rows; r++)
        x.set(data.values.subarray(r * cols, (r + 1) * cols), r * model.numFeature);
    }
    const out = new Float32Array(rows * model.evaluator.outputsPerRow);
    model.evaluator.predict(x, rows, Math.max(cols, model.numFeature), out);
    return out;
  } catch (e) {
    return {
      ok: false,
      status: 400,
      message: `Unable to evaluate payload provided: ${(e as Error).message}`,
    };
  }
}
