/**
 * The AWS error catalog: every error Lathe can answer with, its HTTP status and whether
 * clients may retry it. `docs/errors.md` is kept in sync with this table by a test.
 */
export interface ErrorSpec {
  readonly status: number;
  /** 'client' errors are the caller's to fix; 'server' errors are ours. */
  readonly fault: 'client' | 'server';
  readonly retryable: boolean;
  readonly description: string;
}

const client = (status: number, description: string): ErrorSpec => ({
  status,
  fault: 'client',
  retryable: false,
  description,
});

export const errorCatalog = {
  // Request shape and semantics (AWS JSON protocols).
  ValidationException: client(400, 'A request field is missing, of the wrong type or out of range.'),
  SerializationException: client(400, 'The request body is not valid JSON for the operation.'),
  UnknownOperationException: client(400, 'X-Amz-Target names an operation this service does not have.'),
  RequestEntityTooLarge: client(413, 'The request body is larger than the service accepts.'),
  ResourceNotFound: client(400, 'The named resource does not exist (newer SageMaker resources).'),
  ResourceInUse: client(400, 'A resource with that name already exists or is busy.'),
  ResourceLimitExceeded: client(400, 'A quota would be exceeded.'),
  ConflictException: client(400, 'The resource changed concurrently.'),
  ResourceNotFoundException: client(400, 'The named resource does not exist (CloudWatch Logs).'),
  InvalidParameterException: client(400, 'A parameter is invalid (CloudWatch Logs).'),
  ObjectNotFoundException: client(
    400,
    'The scalable target or scaling policy does not exist (Application Auto Scaling).',
  ),
  // Authentication and authorisation.
  MissingAuthenticationToken: client(403, 'The request is not signed.'),
  IncompleteSignature: client(400, 'The Authorization header is malformed.'),
  UnrecognizedClientException: client(403, 'The access key id is not known.'),
  InvalidClientTokenId: client(403, 'STS: the access key id is not known.'),
  InvalidSignatureException: client(403, 'The signature does not match, or it has expired.'),
  AccessDeniedException: client(400, 'The caller may not perform the operation.'),
  // SageMaker Runtime (REST-JSON).
  ValidationError: client(400, 'Runtime: bad input, or the endpoint or variant does not exist.'),
  ModelError: client(424, 'Runtime: the model answered with a non-2xx status or failed.'),
  ModelNotReadyException: {
    status: 429,
    fault: 'client',
    retryable: true,
    description: 'Runtime: the model is still starting; retry.',
  },
  InternalDependencyException: {
    status: 530,
    fault: 'server',
    retryable: true,
    description: 'Runtime: an internal dependency failed.',
  },
  // Throttling and server faults.
  ThrottlingException: { status: 400, fault: 'client', retryable: true, description: 'Too many requests.' },
  InternalFailure: { status: 500, fault: 'server', retryable: true, description: 'An unexpected error.' },
  ServiceUnavailable: {
    status: 503,
    fault: 'server',
    retryable: true,
    description: 'Shutting down or overloaded.',
  },
  // S3 (XML error bodies).
  AccessDenied: client(403, 'S3: the request is not signed or not allowed.'),
  InvalidAccessKeyId: client(403, 'S3: the access key id is not known.'),
  SignatureDoesNotMatch: client(403, 'S3: the signature does not match.'),
  RequestTimeTooSkewed: client(403, 'S3: the request time is too far from the server time.'),
  AuthorizationHeaderMalformed: client(400, 'S3: the Authorization header is malformed.'),
  XAmzContentSHA256Mismatch: client(400, 'S3: the body does not match x-amz-content-sha256.'),
  BadDigest: client(400, 'S3: a checksum of the body does not match the one sent.'),
  InvalidArgument: client(400, 'S3: an argument is invalid.'),
  InvalidRequest: client(400, 'S3: the request is invalid.'),
  InvalidBucketName: client(400, 'S3: the bucket name is not valid.'),
  KeyTooLongError: client(400, 'S3: the key is too long.'),
  InvalidRange: client(416, 'S3: the requested range cannot be satisfied.'),
  EntityTooLarge: client(400, 'S3: the object is larger than allowed.'),
  EntityTooSmall: client(400, 'S3: a multipart part other than the last is below 5 MiB.'),
  InvalidPart: client(400, 'S3: a listed part was not uploaded or its ETag differs.'),
  InvalidPartOrder: client(400, 'S3: parts are not listed in ascending order.'),
  MalformedXML: client(400, 'S3: the XML body is not well formed.'),
  MethodNotAllowed: client(405, 'S3: the method is not allowed on this resource.'),
  NoSuchBucket: client(404, 'S3: the bucket does not exist.'),
  NoSuchKey: client(404, 'S3: the key does not exist.'),
  NoSuchUpload: client(404, 'S3: the multipart upload does not exist.'),
  BucketAlreadyOwnedByYou: client(409, 'S3: you already own the bucket.'),
  BucketNotEmpty: client(409, 'S3: the bucket is not empty.'),
  NotImplemented: client(501, 'S3: the operation is not implemented.'),
  PreconditionFailed: client(412, 'S3: a precondition header did not hold.'),
  InternalError: { status: 500, fault: 'server', retryable: true, description: 'S3: an unexpected error.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCatalog;
