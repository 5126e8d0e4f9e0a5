/**
 * A training job or endpoint ended in a status the caller did not wait for (the SageMaker
 * Python SDK's `UnexpectedStatusException`). Its `name` is what the `lathe` CLI prints.
 */
export class UnexpectedStatusError extends Error {
  override readonly name = 'UnexpectedStatusException';
  constructor(
    message: string,
    /** The status the resource ended in (`Failed`, `Stopped`, …). */
    readonly actual: string,
    /** The statuses that would have been success. */
    readonly allowed: readonly string[],
  ) {
    super(message);
  }
}
