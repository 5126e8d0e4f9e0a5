import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AwsError } from '../../errors/aws-error.js';

/**
 * Decoder for S3's `aws-chunked` content encoding: `<hex size>[;chunk-signature=<sig>]\r\n
 * <data>\r\n` frames, a zero-size frame, then optional trailer lines and an empty line.
 * Data is passed on as it arrives (memory stays bounded by the frame header limit);
 * signed frames are verified when each frame ends, so a bad signature fails the stream
 * before it can finish, and the atomic store then discards what it received.
 */

export interface AwsChunkedOptions {
  /** Signed frames (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`) carry chunk signatures. */
  readonly signing?: {
    readonly signingKey: Buffer;
    readonly amzDate: string;
    readonly credentialScope: string;
    /** The request's signature: the first frame's signature chains from it. */
    readonly seedSignature: string;
  };
}

const EMPTY_SHA256 = createHash('sha256').digest('hex');
const MAX_LINE = 4096;
const CRLF = Buffer.from('\r\n');

type State = 'header' | 'data' | 'data-end' | 'trailer' | 'done';

function malformed(detail: string): AwsError {
  return new AwsError('InvalidRequest', `The aws-chunked body is malformed: ${detail}.`);
}

function signatureMismatch(what: string): AwsError {
  return new AwsError(
    'SignatureDoesNotMatch',
    `The ${what} signature we calculated does not match the signature you provided.`,
  );
}

/** A Transform from an aws-chunked body to the decoded object bytes; trailers land in `trailers`. */
export class AwsChunkedDecoder extends Transform {
  /** Trailer headers (lower-cased names) once the body has ended. */
  readonly trailers = new Map<string, string>();
  private state: State = 'header';
  private line = Buffer.alloc(0);
  private remaining = 0;
  private chunkSignature: string | undefined;
  private chunkHash = createHash('sha256');
  private previousSignature: string;
  private trailerSignature: string | undefined;
  private readonly trailerLines: string[] = [];

  constructor(private readonly options: AwsChunkedOptions = {}) {
    super();
    this.previousSignature = options.signing?.seedSignature ?? '';
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    // Some encoders end the body right after the last trailer line.
    if (this.state === 'trailer' && this.line.length === 0) this.finishTrailer();
    if (this.state !== 'done') {
      callback(malformed('the body ended before its final zero-length chunk'));
      return;
    }
    callback();
  }

  private consume(input: Buffer): void {
    let buf = input;
    while (buf.length > 0) {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, buf.length);
        const data = buf.subarray(0, take);
        if (this.options.signing) this.chunkHash.update(data);
        this.push(data);
        this.remaining -= take;
        buf = buf.subarray(take);
        if (this.remaining === 0) this.state = 'data-end';
        continue;
      }
      if (this.state === 'done') {
        if (buf.toString('latin1').trim().length > 0) throw malformed('data follows the end of the body');
        return;
      }
      // header, data-end and trailer states are line-based.
      const end = buf.indexOf(0x0a);
      const piece = buf.subarray(0, end < 0 ? buf.length : end + 1);
      this.line = this.line.length === 0 ? Buffer.from(piece) : Buffer.concat([this.line, piece]);
      buf = buf.subarray(piece.length);
      if (this.line.length > MAX_LINE) throw malformed('a chunk header or trailer line is too long');
      if (end < 0) continue;
      const text = this.line.toString('latin1');
      this.line = Buffer.alloc(0);
      if (!text.endsWith('\r\n')) throw malformed('lines must end with CRLF');
      this.onLine(text.slice(0, -2));
    }
  }

  private onLine(text: string): void {
    if (this.state === 'data-end') {
      if (text.length > 0) throw malformed('chunk data is longer than its declared size');
      this.verifyChunk();
      this.state = 'header';
      return;
    }
    if (this.state === 'trailer') {
      if (text.length === 0) {
        this.finishTrailer();
        return;
      }
      const colon = text.indexOf(':');
      if (colon <= 0) throw malformed(`bad trailer line "${text.slice(0, 64)}"`);
      const name = text.slice(0, colon).trim().toLowerCase();
      const value = text.slice(colon + 1).trim();
      if (name === 'x-amz-trailer-signature') this.trailerSignature = value;
      else {
        this.trailers.set(name, value);
        this.trailerLines.push(`${name}:${value}\n`);
      }
      return;
    }
    const m = /^([0-9a-fA-F]{1,16})(?:;chunk-signature=([0-9a-f]{64}))?$/.exec(text);
    if (!m) throw malformed(`bad chunk header "${text.slice(0, 64)}"`);
    if (this.options.signing && !m[2]) throw malformed('a chunk has no chunk-signature');
    this.chunkSignature = m[2];
    this.remaining = Number.parseInt(m[1]!, 16);
    if (!Number.isSafeInteger(this.remaining)) throw malformed('chunk size is too large');
    this.chunkHash = createHash('sha256');
    if (this.remaining > 0) {
      this.state = 'data';
    } else {
      this.verifyChunk();
      this.state = 'trailer';
    }
  }

  private verifyChunk(): void {
    const signing = this.options.signing;
    if (!signing) return;
    const stringToSign = [
      'AWS4-HMAC-SHA256-PAYLOAD',
      signing.amzDate,
      signing.credentialScope,
      this.previousSignature,
      EMPTY_SHA256,
      this.chunkHash.digest('hex'),
    ].join('\n');
    this.previousSignature = this.checkSignature(stringToSign, this.chunkSignature, 'chunk');
  }

  private finishTrailer(): void {
    const signing = this.options.signing;
    if (signing && (this.trailerLines.length > 0 || this.trailerSignature !== undefined)) {
      const stringToSign = [
        'AWS4-HMAC-SHA256-TRAILER',
        signing.amzDate,
        signing.credentialScope,
        this.previousSignature,
        createHash('sha256').update(this.trailerLines.join('')).digest('hex'),
      ].join('\n');
      this.checkSignature(stringToSign, this.trailerSignature, 'trailer');
    }
    this.state = 'done';
  }

  private checkSignature(stringToSign: string, given: string | undefined, what: string): string {
    const expected = createHmac('sha256', this.options.signing!.signingKey)
      .update(stringToSign, 'utf8')
      .digest();
    const provided = Buffer.from(given ?? '', 'hex');
    if (provided.length !== expected.length || !timingSafeEqual(provided, expected))
      throw signatureMismatch(what);
    return given!;
  }
}

/** Encodes data as aws-chunked frames (unsigned, with optional trailers); used by tests and tools. */
export function encodeAwsChunked(chunks: readonly Buffer[], trailers: Record<string, string> = {}): Buffer {
  const parts: Buffer[] = [];
  for (const chunk of chunks) {
    if (chunk.length === 0) continue;
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, CRLF);
  }
  parts.push(Buffer.from('0\r\n'));
  for (const [name, value] of Object.entries(trailers)) parts.push(Buffer.from(`${name}:${value}\r\n`));
  parts.push(CRLF);
  return Buffer.concat(parts);
}
