/**
 * Response deserializers, like the SageMaker Python SDK's `sagemaker.deserializers`: each turns
 * a response body into a value and says what it accepts.
 */

/** Turns a response body into a `T`. */
export interface Deserializer<T = unknown> {
  /** The request's Accept header, if any. */
  readonly accept?: string;
  deserialize(body: Uint8Array, contentType: string | undefined): T;
}

const text = (body: Uint8Array) => new TextDecoder().decode(body);

function csvRows(body: Uint8Array): string[][] {
  return text(body)
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(','));
}

/** The raw bytes (`BytesDeserializer`). */
export class BytesDeserializer implements Deserializer<Uint8Array> {
  constructor(readonly accept?: string) {}
  deserialize(body: Uint8Array): Uint8Array {
    return body;
  }
}

/** The body as UTF-8 text (`StringDeserializer`). */
export class StringDeserializer implements Deserializer<string> {
  constructor(readonly accept?: string) {}
  deserialize(body: Uint8Array): string {
    return text(body);
  }
}

/** Parsed JSON (`JSONDeserializer`); `T` is what the caller knows the model answers. */
export class JSONDeserializer<T = unknown> implements Deserializer<T> {
  constructor(readonly accept = 'application/json') {}
  deserialize(body: Uint8Array): T {
    return JSON.parse(text(body)) as T;
  }
}

/** CSV rows of strings (`CSVDeserializer`). */
export class CSVDeserializer implements Deserializer<string[][]> {
  constructor(readonly accept = 'text/csv') {}
  deserialize(body: Uint8Array): string[][] {
    return csvRows(body);
  }
}

/** CSV rows of numbers, e.g. XGBoost's scores: `0.97\n0.02` → `[[0.97], [0.02]]`. */
export class NumericCSVDeserializer implements Deserializer<number[][]> {
  constructor(readonly accept = 'text/csv') {}
  deserialize(body: Uint8Array): number[][] {
    return csvRows(body).map((row) => row.map(Number));
  }
}

/**
 * Decides by the response's Content-Type: JSON is parsed; CSV becomes rows of numbers when every
 * cell is a number, else rows of strings; other text is a string; anything else stays bytes.
 * The default of a {@link Predictor}.
 */
export class ContentTypeDeserializer implements Deserializer<unknown> {
  constructor(readonly accept?: string) {}
  deserialize(body: Uint8Array, contentType: string | undefined): unknown {
    const kind = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (kind === 'application/json' || kind.endsWith('+json')) return JSON.parse(text(body));
    if (kind === 'text/csv') {
      const rows = csvRows(body);
      const numeric = rows.every((r) => r.every((c) => c.trim() !== '' && Number.isFinite(Number(c))));
      return numeric ? rows.map((r) => r.map(Number)) : rows;
    }
    if (kind.startsWith('text/') || kind === 'application/jsonlines') return text(body);
    return body;
  }
}
