/**
 * Request serializers, like the SageMaker Python SDK's `sagemaker.serializers`: each turns what
 * `Predictor.predict` is given into a body and names its content type.
 */

/** Turns data into a request body. */
export interface Serializer {
  /** The request's Content-Type. */
  readonly contentType: string;
  serialize(data: unknown): string | Uint8Array;
}

const isBytes = (data: unknown): data is Uint8Array => data instanceof Uint8Array;

/**
 * `text/csv`: a string passes through; a row (`[1, 2, 3]`) becomes `1,2,3`; rows become lines
 * (`CSVSerializer`).
 */
export class CSVSerializer implements Serializer {
  constructor(readonly contentType = 'text/csv') {}

  serialize(data: unknown): string | Uint8Array {
    if (typeof data === 'string' || isBytes(data)) return data;
    if (!Array.isArray(data))
      throw new TypeError('CSVSerializer expects a string, a row or an array of rows');
    if (data.every((row) => Array.isArray(row))) return data.map((row) => row.join(',')).join('\n');
    return data.join(',');
  }
}

/** `application/json`: a string passes through, anything else is `JSON.stringify`'d (`JSONSerializer`). */
export class JSONSerializer implements Serializer {
  constructor(readonly contentType = 'application/json') {}

  serialize(data: unknown): string | Uint8Array {
    if (typeof data === 'string' || isBytes(data)) return data;
    return JSON.stringify(data);
  }
}

/** Sends strings and bytes unchanged under the given content type (`IdentitySerializer`). */
export class IdentitySerializer implements Serializer {
  constructor(readonly contentType = 'application/octet-stream') {}

  serialize(data: unknown): string | Uint8Array {
    if (typeof data === 'string' || isBytes(data)) return data;
    throw new TypeError('IdentitySerializer expects a string or a Uint8Array');
  }
}

/** The serializer for a content type: CSV, JSON, or identity for anything else. */
export function serializerFor(contentType: string): Serializer {
  const kind = contentType.split(';')[0]!.trim().toLowerCase();
  if (kind === 'text/csv') return new CSVSerializer(contentType);
  if (kind === 'application/json') return new JSONSerializer(contentType);
  return new IdentitySerializer(contentType);
}
