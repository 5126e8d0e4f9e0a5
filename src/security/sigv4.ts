import { createHmac, hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AwsError } from '../errors/aws-error.js';
import type { ErrorCode } from '../errors/catalog.js';
import { constantTimeEqual, HmacSha256Key } from './hmac-sha256.js';

/**
 * AWS Signature Version 4 verification. The canonical request is rebuilt from exactly the
 * headers the client named in SignedHeaders and the signature is recomputed with the
 * caller's secret; nothing is trusted from the Authorization header but the inputs.
 */

export interface VerifiedRequest {
  readonly accessKeyId: string;
  /** The SigV4 scope's service: `sagemaker`, `s3`, `logs`, `sts`, … */
  readonly service: string;
  readonly region: string;
  /** `YYYYMMDDTHHMMSSZ`. */
  readonly amzDate: string;
  /** `<date>/<region>/<service>/aws4_request`. */
  readonly credentialScope: string;
  /** The request's (seed) signature, hex; aws-chunked chunk signatures chain from it. */
  readonly signature: string;
  /** HMAC key of the scope, for verifying aws-chunked chunk signatures. */
  readonly signingKey: Buffer;
  /** The payload hash that was signed: hex, `UNSIGNED-PAYLOAD` or a `STREAMING-…` marker. */
  readonly payloadHash: string;
  readonly presigned: boolean;
}

/** Looks up the secret of an access key id; undefined when the key is unknown. */
export type SecretLookup = (accessKeyId: string) => string | undefined;

/** The error names differ between S3, STS (both XML) and the JSON services. */
export type ErrorDialect = 's3' | 'sts' | 'json';

const errorNames: Record<
  ErrorDialect,
  Record<'missing' | 'malformed' | 'unknownKey' | 'mismatch' | 'expired', ErrorCode>
> = {
  json: {
    missing: 'MissingAuthenticationToken',
    malformed: 'IncompleteSignature',
    unknownKey: 'UnrecognizedClientException',
    mismatch: 'InvalidSignatureException',
    expired: 'InvalidSignatureException',
  },
  sts: {
    missing: 'MissingAuthenticationToken',
    malformed: 'IncompleteSignature',
    unknownKey: 'InvalidClientTokenId',
    mismatch: 'SignatureDoesNotMatch',
    expired: 'SignatureDoesNotMatch',
  },
  s3: {
    missing: 'AccessDenied',
    malformed: 'AuthorizationHeaderMalformed',
    unknownKey: 'InvalidAccessKeyId',
    mismatch: 'SignatureDoesNotMatch',
    expired: 'RequestTimeTooSkewed',
  },
};

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  payloadHash?: string;
  presigned: boolean;
  expiresSeconds?: number;
}

const AUTH_RE =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;

/**
 * Reads the scope's service from a request without verifying anything, so the router can
 * pick the protocol (and error dialect) before verification. Undefined when unsigned.
 */
export function peekSigningService(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const m = /Credential=[^/\s]+\/\d{8}\/[^/\s]+\/([^/\s]+)\/aws4_request/.exec(header);
    return m?.[1];
  }
  const url = new URL(req.url ?? '/', 'http://x');
  const credential = url.searchParams.get('X-Amz-Credential');
  return credential?.split('/')[3];
}

function fail(dialect: ErrorDialect, kind: keyof (typeof errorNames)['json'], message: string): AwsError {
  return new AwsError(errorNames[dialect][kind], message);
}

function parseAuthorization(req: IncomingMessage, dialect: ErrorDialect): ParsedAuthorization {
  const header = req.headers.authorization;
  if (typeof header === 'string' && header.length > 0) {
    const m = AUTH_RE.exec(header);
    if (!m) {
      throw fail(
        dialect,
        'malformed',
        'Authorization header requires Credential, SignedHeaders and Signature.',
      );
    }
    const amzDate = headerValue(req, 'x-amz-date');
    if (!amzDate) throw fail(dialect, 'malformed', 'Authorization requires an X-Amz-Date header.');
    return {
      accessKeyId: m[1]!,
      date: m[2]!,
      region: m[3]!,
      service: m[4]!,
      signedHeaders: m[5]!.split(';'),
      signature: m[6]!,
      amzDate,
      payloadHash: headerValue(req, 'x-amz-content-sha256'),
      presigned: false,
    };
  }
  // Only a presigned request needs its query parsed; header-signed ones (every SDK call) skip it.
  const q = new URL(req.url ?? '/', 'http://localhost').searchParams;
  if (q.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256') {
    const credential = (q.get('X-Amz-Credential') ?? '').split('/');
    const signature = q.get('X-Amz-Signature') ?? '';
    const amzDate = q.get('X-Amz-Date') ?? '';
    const expires = Number(q.get('X-Amz-Expires') ?? '');
    if (credential.length !== 5 || credential[4] !== 'aws4_request' || !/^[0-9a-f]{64}$/.test(signature)) {
      throw fail(dialect, 'malformed', 'X-Amz-Credential or X-Amz-Signature is malformed.');
    }
    if (!Number.isInteger(expires) || expires < 1 || expires > 604800) {
      throw fail(dialect, 'malformed', 'X-Amz-Expires must be a whole number of seconds from 1 to 604800.');
    }
    return {
      accessKeyId: credential[0]!,
      date: credential[1]!,
      region: credential[2]!,
      service: credential[3]!,
      signedHeaders: (q.get('X-Amz-SignedHeaders') ?? 'host').split(';'),
      signature,
      amzDate,
      payloadHash: 'UNSIGNED-PAYLOAD',
      presigned: true,
      expiresSeconds: expires,
    };
  }
  throw fail(
    dialect,
    'missing',
    dialect === 's3' ? 'Anonymous access is not allowed; sign the request.' : 'Missing Authentication Token',
  );
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** RFC 3986 encoding as SigV4 defines it: unreserved characters kept, the rest %XX upper-case. */
const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;

export function uriEncode(value: string, keepSlash = false): string {
  if (UNRESERVED.test(value)) return value; // the common case, on every request
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const PLAIN_PATH = /^[A-Za-z0-9\-._~/]*$/;

function canonicalUri(rawPath: string, service: string): string {
  // Nothing to encode (or decode): the path is its own canonical form.
  if (PLAIN_PATH.test(rawPath)) return rawPath;
  const segments = rawPath.split('/');
  // S3 signs the path encoded once; every other service double-encodes it.
  return service === 's3'
    ? segments.map((s) => uriEncode(safeDecode(s))).join('/')
    : segments.map((s) => uriEncode(s)).join('/');
}

function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  const pairs = rawQuery
    .split('&')
    .filter((p) => p.length > 0)
    .map((p) => {
      const i = p.indexOf('=');
      const k = i < 0 ? p : p.slice(0, i);
      const v = i < 0 ? '' : p.slice(i + 1);
      return [uriEncode(safeDecode(k)), uriEncode(safeDecode(v))] as const;
    })
    .filter(([k]) => k !== 'X-Amz-Signature');
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

// Leading or trailing whitespace, a run of it, or any whitespace other than a plain space.
const NEEDS_TRIM = /^\s|\s$|\s\s|[^\S ]/;

function canonicalHeaders(req: IncomingMessage, names: readonly string[]): string {
  let out = '';
  for (const name of names) {
    const single = req.headers[name];
    if (typeof single === 'string' && !single.includes(',')) {
      // The common case: one value, usually with nothing to trim or fold.
      out += `${name}:${NEEDS_TRIM.test(single) ? fold(single) : single}\n`;
    } else {
      // headersDistinct allocates; only a header sent twice (joined with commas) needs it.
      out += `${name}:${(req.headersDistinct[name] ?? []).map(fold).join(',')}\n`;
    }
  }
  return out;
}

const fold = (value: string): string => value.trim().replace(/\s+/g, ' ');

/** `YYYYMMDDTHHMMSSZ` → epoch ms; undefined when malformed. Read by hand: it runs on every request. */
function parseAmzDate(amzDate: string): number | undefined {
  if (amzDate.length !== 16 || amzDate[8] !== 'T' || amzDate[15] !== 'Z') return undefined;
  const digits = (from: number, to: number): number => {
    let n = 0;
    for (let i = from; i < to; i++) {
      const d = amzDate.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return Number.NaN;
      n = n * 10 + d;
    }
    return n;
  };
  const ms = Date.UTC(
    digits(0, 4),
    digits(4, 6) - 1,
    digits(6, 8),
    digits(9, 11),
    digits(11, 13),
    digits(13, 15),
  );
  return Number.isNaN(ms) ? undefined : ms;
}

const hmac = (key: Buffer | string, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();
// One-shot hashing: twice as fast as createHash() for the small inputs of every request.
export const sha256Hex = (data: Buffer | string): string => hash('sha256', data, 'hex');

export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

// Signing keys change once a day per scope: derive each once instead of four HMACs a request.
const signingKeys = new Map<string, HmacSha256Key>();
// The key of the last request: most requests in a row share a scope (compared without building an id).
let last: { secret: string; date: string; region: string; service: string; key: HmacSha256Key } | undefined;

function cachedSigningKey(secret: string, date: string, region: string, service: string): HmacSha256Key {
  if (
    last !== undefined &&
    last.date === date &&
    last.service === service &&
    last.region === region &&
    last.secret === secret
  ) {
    return last.key;
  }
  // Keyed by the secret itself: a changed secret never finds the old key.
  const id = `${secret}\n${date}\n${region}\n${service}`;
  let key = signingKeys.get(id);
  if (!key) {
    if (signingKeys.size > 1000) signingKeys.clear();
    key = new HmacSha256Key(deriveSigningKey(secret, date, region, service));
    signingKeys.set(id, key);
  }
  last = { secret, date, region, service, key };
  return key;
}

export interface VerifyOptions {
  readonly dialect: ErrorDialect;
  readonly lookupSecret: SecretLookup;
  readonly maxSkewSeconds: number;
  /** Hex SHA-256 of the body when the caller has read it (JSON services); S3 passes undefined. */
  readonly bodySha256?: string;
  readonly now?: number;
}

/** Verifies a request's SigV4 signature (header or presigned query). Throws an AwsError. */
export function verifySigV4(req: IncomingMessage, options: VerifyOptions): VerifiedRequest {
  const { dialect } = options;
  const rawUrl = req.url ?? '/';
  const auth = parseAuthorization(req, dialect);

  const secret = options.lookupSecret(auth.accessKeyId);
  if (secret === undefined) {
    throw fail(
      dialect,
      'unknownKey',
      dialect === 's3'
        ? 'The AWS Access Key Id you provided does not exist in our records.'
        : 'The security token included in the request is invalid.',
    );
  }

  const signedAt = parseAmzDate(auth.amzDate);
  if (signedAt === undefined || auth.amzDate.slice(0, 8) !== auth.date) {
    throw fail(
      dialect,
      'malformed',
      'X-Amz-Date must be YYYYMMDDTHHMMSSZ and match the credential scope date.',
    );
  }
  const now = options.now ?? Date.now();
  if (auth.presigned) {
    if (now > signedAt + (auth.expiresSeconds ?? 0) * 1000) {
      throw new AwsError('AccessDenied', 'Request has expired');
    }
  } else if (Math.abs(now - signedAt) > options.maxSkewSeconds * 1000) {
    const stamp = new Date(now).toISOString().replace(/[-:]|\.\d{3}/g, '');
    throw fail(
      dialect,
      'expired',
      `Signature expired: ${auth.amzDate} is now earlier or later than ${stamp} by more than ${options.maxSkewSeconds} seconds.`,
    );
  }
  if (!auth.signedHeaders.includes('host')) {
    throw fail(dialect, 'malformed', 'SignedHeaders must include host.');
  }

  // The signed payload hash: S3 signs the header's value (the body is checked while it
  // streams); the JSON services sign the hash of the body we already hold.
  let payloadHash: string;
  if (dialect === 's3') {
    payloadHash = auth.payloadHash ?? '';
    if (!payloadHash)
      throw fail(dialect, 'malformed', 'Missing required header for this request: x-amz-content-sha256');
  } else {
    payloadHash = options.bodySha256 ?? sha256Hex('');
  }

  const queryStart = rawUrl.indexOf('?');
  const rawPath = queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart);
  const rawQuery = queryStart < 0 ? '' : rawUrl.slice(queryStart + 1);
  const canonicalRequest = `${req.method ?? 'GET'}\n${canonicalUri(rawPath, auth.service)}\n${canonicalQuery(rawQuery)}\n${canonicalHeaders(req, auth.signedHeaders)}\n${auth.signedHeaders.join(';')}\n${payloadHash}`;
  const credentialScope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${auth.amzDate}\n${credentialScope}\n${sha256Hex(canonicalRequest)}`;
  const signingKey = cachedSigningKey(secret, auth.date, auth.region, auth.service);
  // Both are lower-case hex: the Authorization pattern and the presigned check admit no other.
  if (!constantTimeEqual(signingKey.hex(stringToSign), auth.signature)) {
    throw fail(
      dialect,
      'mismatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return {
    accessKeyId: auth.accessKeyId,
    service: auth.service,
    region: auth.region,
    amzDate: auth.amzDate,
    credentialScope,
    signature: auth.signature,
    signingKey: signingKey.key,
    payloadHash,
    presigned: auth.presigned,
  };
}
