/**
 * A problem the job's submitter must fix (hyperparameters, channels, data). Its message becomes
 * the job's FailureReason as `ClientError: <message>`, as SageMaker's algorithms report it.
 */
export class ClientError extends Error {
  override readonly name = 'ClientError';
}

/** Longest FailureReason SageMaker keeps from `/opt/ml/output/failure`. */
export const MAX_FAILURE_REASON = 1024;

/**
 * The FailureReason text for an error thrown during training: `ClientError: ...` for the
 * user's mistakes, `AlgorithmError: ...` for everything else (library failures, bugs).
 */
export function failureReason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const prefix = e instanceof ClientError ? 'ClientError' : 'AlgorithmError';
  const text = `${prefix}: ${message}`;
  return text.length > MAX_FAILURE_REASON ? `${text.slice(0, MAX_FAILURE_REASON - 3)}...` : text;
}
