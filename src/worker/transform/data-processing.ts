import { applyJsonPath, isIdentityPath, type JsonPath, parseJsonPath } from '../../domain/jsonpath.js';
import { recordFormat } from '../../domain/transform-job.js';

/**
 * DataProcessing of batch transform (InputFilter, JoinSource, OutputFilter) on single records.
 * A CSV record is the JSON array of its fields (kept as text, so numbers are written back as
 * they came); a JSON Lines record is its parsed value.
 */

type Format = 'csv' | 'json';

/** Splits one CSV line into fields (RFC 4180 quoting). */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) throw new Error('unterminated quoted CSV field');
        value += line.slice(i, close);
        if (line[close + 1] === '"') {
          value += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      fields.push(value);
      if (i >= line.length) return fields;
      if (line[i] !== ',') throw new Error(`unexpected '${line[i]}' after a quoted CSV field`);
      i++;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}

const csvField = (v: unknown): string => {
  const s =
    typeof v === 'string'
      ? v
      : v === null || v === undefined
        ? ''
        : typeof v === 'object'
          ? JSON.stringify(v)
          : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Writes a selected value back as one CSV line: an array's elements are its fields. */
export function toCsvLine(value: unknown): string {
  return Array.isArray(value) ? value.map(csvField).join(',') : csvField(value);
}

function parseRecord(text: string, format: Format): unknown {
  return format === 'csv' ? parseCsvLine(text) : (JSON.parse(text) as unknown);
}

const serialize = (value: unknown, format: Format): string =>
  format === 'csv' ? toCsvLine(value) : JSON.stringify(value);

/** The format of records: from the content type, else guessed from the record. */
function formatOf(contentType: string | undefined, sample: string): Format {
  return recordFormat(contentType) ?? (/^\s*[[{]/.test(sample) ? 'json' : 'csv');
}

/** The DataProcessing of one job, compiled once. */
export interface RecordProcessor {
  /** Whether each record must be handled one by one (any filter or a join). */
  readonly perRecord: boolean;
  /** InputFilter: the record as sent to the model. */
  filterInput(record: string): string;
  /** JoinSource and OutputFilter: the output record written for an input record and its prediction. */
  finish(input: string, output: string, outputContentType: string | undefined): string;
}

export function recordProcessor(options: {
  readonly inputFilter: string;
  readonly outputFilter: string;
  readonly joinInput: boolean;
  readonly contentType?: string;
  readonly accept?: string;
}): RecordProcessor {
  const inputPath: JsonPath = parseJsonPath(options.inputFilter);
  const outputPath: JsonPath = parseJsonPath(options.outputFilter);
  const filtersInput = !isIdentityPath(inputPath);
  const filtersOutput = !isIdentityPath(outputPath);
  return {
    perRecord: filtersInput || filtersOutput || options.joinInput,
    filterInput(record) {
      if (!filtersInput) return record;
      const format = formatOf(options.contentType, record);
      return serialize(applyJsonPath(inputPath, parseRecord(record, format)), format);
    },
    finish(input, output, outputContentType) {
      const outFormat = formatOf(options.accept ?? outputContentType, output);
      let joined: unknown;
      if (options.joinInput) {
        const inFormat = formatOf(options.contentType, input);
        if (inFormat !== outFormat) {
          throw new Error(
            `JoinSource Input needs the same format in and out; the input is ${inFormat.toUpperCase()} and the output ${outFormat.toUpperCase()}`,
          );
        }
        const source = parseRecord(input, inFormat);
        const prediction = outFormat === 'csv' ? parseCsvLine(output) : parseJsonOrText(output);
        if (outFormat === 'csv') joined = [...(source as string[]), ...(prediction as string[])];
        else if (typeof source === 'object' && source !== null && !Array.isArray(source))
          joined = { ...source, SageMakerOutput: prediction };
        else joined = { SageMakerInput: source, SageMakerOutput: prediction };
      } else {
        if (!filtersOutput) return output;
        joined = outFormat === 'csv' ? parseCsvLine(output) : parseJsonOrText(output);
      }
      return serialize(filtersOutput ? applyJsonPath(outputPath, joined) : joined, outFormat);
    },
  };
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The per-record outputs of one response: one line per record. A single-record request takes the
 * whole response. Undefined when the count does not match.
 */
export function outputRecords(body: string, records: number): string[] | undefined {
  const text = body.endsWith('\r\n') ? body.slice(0, -2) : body.endsWith('\n') ? body.slice(0, -1) : body;
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length === records) return lines;
  return records === 1 ? [text] : undefined;
}
