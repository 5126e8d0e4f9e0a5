import { EventStreamCodec } from '@smithy/core/event-streams';

/**
 * The `application/vnd.amazon.eventstream` messages of InvokeEndpointWithResponseStream, encoded
 * with the AWS SDK's own codec: `PayloadPart` events carrying the model's bytes, and the
 * `ModelStreamError` / `InternalStreamFailure` exceptions that end a stream.
 */
const utf8 = new TextDecoder();
const codec = new EventStreamCodec(
  (bytes) => utf8.decode(bytes),
  (text) => Buffer.from(text, 'utf8'),
);

const header = (value: string) => ({ type: 'string' as const, value });

export function payloadPart(bytes: Uint8Array): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': header('PayloadPart'),
      ':message-type': header('event'),
      ':content-type': header('application/octet-stream'),
    },
    body: bytes,
  });
}

export function streamException(
  type: 'ModelStreamError' | 'InternalStreamFailure',
  message: string,
): Uint8Array {
  const body =
    type === 'ModelStreamError' ? { Message: message, ErrorCode: 'ModelStreamError' } : { Message: message };
  return codec.encode({
    headers: {
      ':exception-type': header(type),
      ':message-type': header('exception'),
      ':content-type': header('application/json'),
    },
    body: Buffer.from(JSON.stringify(body)),
  });
}
