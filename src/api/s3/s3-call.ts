import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from '../../errors/aws-error.js';
import type { ObjectInfo, ObjectStore, PutOptions } from '../../ports/object-store.js';
import type { VerifiedRequest } from '../../security/sigv4.js';
import { type XmlNode, xmlDocument } from './xml.js';

/** What the app hands the S3 API for one request (the signature is already verified). */
export interface S3Context {
  readonly auth: VerifiedRequest;
  readonly requestId: string;
  readonly store: ObjectStore;
  /** Largest object (or part) body accepted, in bytes. */
  readonly maxObjectBytes: number;
}

/** One S3 request, routed path-style: `/<bucket>/<key…>`. */
export interface S3Call {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly ctx: S3Context;
  readonly method: string;
  readonly bucket: string | undefined;
  readonly key: string | undefined;
  readonly query: URLSearchParams;
  /** The path, for error `<Resource>`s. */
  readonly resource: string;
}

function decodePathPart(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new AwsError(
      'InvalidArgument',
      `The request path is not valid percent-encoding: ${value.slice(0, 200)}`,
    );
  }
}

/** Splits a path-style URL into bucket, key and query. */
export function parseS3Call(req: IncomingMessage, res: ServerResponse, ctx: S3Context): S3Call {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const rest = path.replace(/^\//, '');
  const slash = rest.indexOf('/');
  const bucket = rest.length === 0 ? undefined : decodePathPart(slash < 0 ? rest : rest.slice(0, slash));
  const keyPart = slash < 0 ? '' : rest.slice(slash + 1);
  const key = keyPart.length === 0 ? undefined : decodePathPart(keyPart);
  const resource = bucket === undefined ? '/' : key === undefined ? `/${bucket}` : `/${bucket}/${key}`;
  return { req, res, ctx, method: req.method ?? 'GET', bucket, key, query, resource };
}

export function header(call: S3Call, name: string): string | undefined {
  const v = call.req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function baseHeaders(call: S3Call): Record<string, string> {
  return { 'x-amz-request-id': call.ctx.requestId, 'x-amz-id-2': call.ctx.requestId };
}

/** Sends an XML document in S3's namespace. */
export function sendXml(call: S3Call, root: string, children: XmlNode[], status = 200): void {
  const body = xmlDocument(root, children);
  call.res.writeHead(status, {
    ...baseHeaders(call),
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
  });
  call.res.end(body);
}

/** Sends a response without a body. */
export function sendEmpty(call: S3Call, status: number, headers: Record<string, string | number> = {}): void {
  call.res.writeHead(status, { ...baseHeaders(call), 'content-length': 0, ...headers });
  call.res.end();
}

/** ETag, Last-Modified, Content-Type and user metadata headers of an object. */
export function objectHeaders(call: S3Call, info: ObjectInfo): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    ...baseHeaders(call),
    etag: info.etag,
    'last-modified': info.lastModified.toUTCString(),
    'content-type': info.contentType,
    'accept-ranges': 'bytes',
  };
  for (const [name, value] of Object.entries(info.metadata)) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

/** Content-Type and `x-amz-meta-*` of a request, as the store's PutOptions. */
export function putOptionsOf(call: S3Call): PutOptions {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(call.req.headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) {
      metadata[name.slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
    }
  }
  const contentType = header(call, 'content-type');
  return { ...(contentType && { contentType }), metadata };
}

export function requireBucket(call: S3Call): string {
  if (call.bucket === undefined)
    throw new AwsError('MethodNotAllowed', 'The specified method is not allowed against this resource.');
  return call.bucket;
}

export function requireKey(call: S3Call): string {
  if (call.key === undefined)
    throw new AwsError('MethodNotAllowed', 'The specified method is not allowed against this resource.');
  return call.key;
}

/** A non-negative integer query parameter, with a default and an upper clamp. */
export function intParam(
  call: S3Call,
  name: string,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = call.query.get(name);
  if (value === null || value === '') return fallback;
  if (!/^\d+$/.test(value)) {
    throw new AwsError('InvalidArgument', `Provided ${name} must be a non-negative integer.`, {
      ArgumentName: name,
    });
  }
  return Math.min(Number(value), max);
}

/** Owner element used in listings; Lathe has one account per server. */
export function ownerNode(call: S3Call): XmlNode {
  return [
    'Owner',
    [
      ['ID', call.ctx.auth.accessKeyId],
      ['DisplayName', call.ctx.auth.accessKeyId],
    ],
  ];
}
