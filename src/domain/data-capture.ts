import type { DataCaptureConfig } from './endpoint-config.js';

/**
 * SageMaker's data capture records (model-monitor: one JSON object per line), and where they go:
 * `<DestinationS3Uri>/<endpoint>/<variant>/<yyyy>/<mm>/<dd>/<hh>/<file>.jsonl`, the hour being
 * the inference's UTC hour.
 */

export interface CapturedMessage {
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

export interface CapturedInvocation {
  readonly input: CapturedMessage;
  readonly output: CapturedMessage;
  readonly inferenceId?: string;
  readonly eventId: string;
  /** Epoch ms. */
  readonly at: number;
}

const mediaType = (contentType: string | undefined) =>
  (contentType ?? '').split(';')[0]!.trim().toLowerCase();

/** CSV or JSON (the text itself) when the content type is listed as such, else BASE64. */
function encoded(config: DataCaptureConfig, message: CapturedMessage, mode: 'INPUT' | 'OUTPUT') {
  const type = mediaType(message.contentType);
  const listed = (types: readonly string[] | undefined) => (types ?? []).some((t) => mediaType(t) === type);
  const headers = config.CaptureContentTypeHeader;
  const encoding = listed(headers?.CsvContentTypes)
    ? 'CSV'
    : listed(headers?.JsonContentTypes)
      ? 'JSON'
      : 'BASE64';
  return {
    observedContentType: message.contentType ?? '',
    mode,
    data: encoding === 'BASE64' ? message.body.toString('base64') : message.body.toString('utf8'),
    encoding,
  };
}

export function captures(config: DataCaptureConfig, mode: 'Input' | 'Output'): boolean {
  return config.CaptureOptions.some((o) => o.CaptureMode === mode || o.CaptureMode === 'InputAndOutput');
}

/** `2022-02-14T17:25:49Z`: UTC, second precision. */
const secondsIso = (at: number) => new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** One line of a capture file. */
export function captureRecord(config: DataCaptureConfig, call: CapturedInvocation): string {
  return JSON.stringify({
    captureData: {
      ...(captures(config, 'Input') ? { endpointInput: encoded(config, call.input, 'INPUT') } : {}),
      ...(captures(config, 'Output') ? { endpointOutput: encoded(config, call.output, 'OUTPUT') } : {}),
    },
    eventMetadata: {
      eventId: call.eventId,
      ...(call.inferenceId === undefined ? {} : { inferenceId: call.inferenceId }),
      inferenceTime: secondsIso(call.at),
    },
    eventVersion: '0',
  });
}

/** The hour partition of a capture: `<endpoint>/<variant>/<yyyy>/<mm>/<dd>/<hh>`. */
export function capturePartition(endpoint: string, variant: string, at: number): string {
  const iso = new Date(at).toISOString(); // yyyy-mm-ddThh:…
  return `${endpoint}/${variant}/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}`;
}

/** A capture file's name: `<mm>-<ss>-<mmm>-<id>.jsonl`, as AWS names them (monitors must not rely on it). */
export function captureFileName(at: number, id: string): string {
  const iso = new Date(at).toISOString(); // …Thh:mm:ss.mmmZ
  return `${iso.slice(14, 16)}-${iso.slice(17, 19)}-${iso.slice(20, 23)}-${id}.jsonl`;
}
