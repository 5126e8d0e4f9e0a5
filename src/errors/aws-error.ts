import { type ErrorCode, errorCatalog } from './catalog.js';

/** An error that is answered to the client as an AWS error of the given code. */
export class AwsError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra members serialised next to `message` (e.g. S3's `Key`, runtime's `OriginalStatusCode`). */
  readonly extra: Readonly<Record<string, string | number>>;

  constructor(code: ErrorCode, message: string, extra: Record<string, string | number> = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = errorCatalog[code].status;
    this.extra = extra;
  }
}

/** ValidationException naming the offending field, the message shape AWS uses. */
export function validationError(message: string): AwsError {
  return new AwsError('ValidationException', message);
}

export function isAwsError(e: unknown): e is AwsError {
  return e instanceof AwsError;
}
