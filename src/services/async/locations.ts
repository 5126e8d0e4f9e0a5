import type { AsyncInferenceConfig } from '../../domain/endpoint-config.js';

/** An `s3://bucket/key` URI taken apart. */
export interface S3Object {
  readonly bucket: string;
  readonly key: string;
}

/** Parses `s3://bucket/key`; undefined when it is not one (no bucket, or no key). */
export function parseS3Object(uri: string): S3Object | undefined {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) return undefined;
  return { bucket: m[1]!, key: m[2]! };
}

function joinUri(...parts: readonly (string | undefined)[]): string {
  const kept = parts.filter((p): p is string => p !== undefined && p !== '');
  return kept
    .map((p, i) => (i === 0 ? p.replace(/\/+$/, '') : p.replace(/^\/+|\/+$/g, '')))
    .filter((p) => p !== '')
    .join('/');
}

export interface AsyncLocations {
  readonly outputLocation: string;
  readonly failureLocation: string;
}

/**
 * Where an async request's result goes: `<S3OutputPath>[/<extension>]/<inferenceId>.out` (or
 * `Filename` instead of `<inferenceId>.out`), and on failure
 * `<S3FailurePath, else S3OutputPath>[/<extension>]/<inferenceId>-error.out`.
 * Returns a problem message when the configuration has no usable output path.
 */
export function asyncLocations(
  output: AsyncInferenceConfig['OutputConfig'],
  inferenceId: string,
  options: { readonly extension?: string; readonly filename?: string } = {},
): AsyncLocations | string {
  const outputPath = output.S3OutputPath;
  if (!outputPath?.startsWith('s3://')) {
    return 'The endpoint configuration has no AsyncInferenceConfig.OutputConfig.S3OutputPath; Lathe writes results only to S3.';
  }
  const failurePath = output.S3FailurePath?.startsWith('s3://') ? output.S3FailurePath : outputPath;
  const outputLocation = joinUri(outputPath, options.extension, options.filename ?? `${inferenceId}.out`);
  const failureLocation = joinUri(failurePath, options.extension, `${inferenceId}-error.out`);
  if (!parseS3Object(outputLocation) || !parseS3Object(failureLocation)) {
    return `The output location ${outputLocation} is not an S3 object URI.`;
  }
  return { outputLocation, failureLocation };
}
