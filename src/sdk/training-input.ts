import type { Channel } from '@aws-sdk/client-sagemaker';

/** Options of {@link TrainingInput}, as the Python SDK's `TrainingInput` takes them. */
export interface TrainingInputOptions {
  /** `text/csv`, `text/libsvm`, … (built-in XGBoost reads libsvm unless told). */
  readonly contentType?: string;
  readonly distribution?: 'FullyReplicated' | 'ShardedByS3Key';
  readonly s3DataType?: 'S3Prefix' | 'ManifestFile' | 'AugmentedManifestFile';
  readonly inputMode?: 'File' | 'Pipe' | 'FastFile';
  readonly compression?: 'None' | 'Gzip';
  readonly recordWrapping?: 'None' | 'RecordIO';
}

/**
 * One training channel: an `s3://` URI or a local path (a file or a directory, uploaded by
 * `Estimator.fit`), with its settings.
 */
export class TrainingInput {
  constructor(
    /** `s3://bucket/prefix` or a local path. */
    readonly s3Data: string,
    readonly options: TrainingInputOptions = {},
  ) {}

  /** The `InputDataConfig` entry for `channel`, once the data is in S3 at `uri`. */
  toChannel(channel: string, uri: string): Channel {
    const o = this.options;
    return {
      ChannelName: channel,
      DataSource: {
        S3DataSource: {
          S3DataType: o.s3DataType ?? 'S3Prefix',
          S3Uri: uri,
          S3DataDistributionType: o.distribution ?? 'FullyReplicated',
        },
      },
      ...(o.contentType ? { ContentType: o.contentType } : {}),
      ...(o.inputMode ? { InputMode: o.inputMode } : {}),
      ...(o.compression ? { CompressionType: o.compression } : {}),
      ...(o.recordWrapping ? { RecordWrapperType: o.recordWrapping } : {}),
    };
  }
}

/** What `fit` accepts per channel. */
export type ChannelInput = string | TrainingInput;

/** `text/csv` for `.csv`, `text/libsvm` for `.libsvm`/`.svm`, else nothing. */
export function contentTypeFromName(path: string): string | undefined {
  if (/\.csv$/i.test(path)) return 'text/csv';
  if (/\.(libsvm|svm)$/i.test(path)) return 'text/libsvm';
  return undefined;
}

/** A plain string becomes a `TrainingInput` whose content type is guessed from its name. */
export function toTrainingInput(input: ChannelInput): TrainingInput {
  if (input instanceof TrainingInput) return input;
  const contentType = contentTypeFromName(input);
  return new TrainingInput(input, contentType ? { contentType } : {});
}
