import { pipeline } from 'node:stream/promises';
import { AwsError } from '../../errors/aws-error.js';
import type { ByteRange, ObjectInfo } from '../../ports/object-store.js';
import { header, objectHeaders, requireBucket, requireKey, type S3Call, sendEmpty } from './s3-call.js';

/** GetObject and HeadObject: Range (206), conditional headers (304/412), response-* overrides. */

const OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

/** Parses a single `bytes=` range against the object size; undefined means "send it all" (RFC 9110). */
export function parseRange(value: string | undefined, size: number): ByteRange | undefined {
  const m = value ? /^bytes=(\d*)-(\d*)$/.exec(value.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const unsatisfiable = () =>
    new AwsError('InvalidRange', 'The requested range is not satisfiable', {
      RangeRequested: value ?? '',
      ActualObjectSize: size,
    });
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) throw unsatisfiable();
  return { start, end };
}

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);

function etagMatches(list: string, etag: string): boolean {
  return list.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag || `"${tag}"` === etag;
  });
}

/** 304 / 412 per the conditional headers, or undefined to proceed. */
function precondition(call: S3Call, info: ObjectInfo): 304 | 412 | undefined {
  const ifMatch = header(call, 'if-match');
  const ifNoneMatch = header(call, 'if-none-match');
  const ifModifiedSince = header(call, 'if-modified-since');
  const ifUnmodifiedSince = header(call, 'if-unmodified-since');
  if (ifMatch !== undefined && !etagMatches(ifMatch, info.etag)) return 412;
  if (ifMatch === undefined && ifUnmodifiedSince !== undefined) {
    const since = Date.parse(ifUnmodifiedSince);
    if (!Number.isNaN(since) && seconds(info.lastModified) > Math.floor(since / 1000)) return 412;
  }
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, info.etag)) return 304;
  } else if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    if (!Number.isNaN(since) && seconds(info.lastModified) <= Math.floor(since / 1000)) return 304;
  }
  return undefined;
}

function failPrecondition(call: S3Call, info: ObjectInfo, status: 304 | 412): void {
  if (status === 412) {
    throw new AwsError(
      'PreconditionFailed',
      'At least one of the pre-conditions you specified did not hold',
      {
        Condition: header(call, 'if-match') !== undefined ? 'If-Match' : 'If-Unmodified-Since',
      },
    );
  }
  sendEmpty(call, 304, { etag: info.etag, 'last-modified': info.lastModified.toUTCString() });
}

function responseHeaders(call: S3Call, info: ObjectInfo): Record<string, string | number> {
  const headers = objectHeaders(call, info);
  for (const [param, name] of Object.entries(OVERRIDES)) {
    const value = call.query.get(param);
    if (value !== null) headers[name] = value;
  }
  return headers;
}

export async function headObject(call: S3Call): Promise<void> {
  const info = await call.ctx.store.headObject(requireBucket(call), requireKey(call));
  const failed = precondition(call, info);
  if (failed) return failPrecondition(call, info, failed);
  const range = parseRange(header(call, 'range'), info.size);
  const headers = responseHeaders(call, info);
  if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${info.size}`;
  sendEmpty(call, range ? 206 : 200, {
    ...headers,
    'content-length': range ? range.end - range.start + 1 : info.size,
  });
}

export async function getObject(call: S3Call): Promise<void> {
  const bucket = requireBucket(call);
  const key = requireKey(call);
  const rangeHeader = header(call, 'range');
  let range: ByteRange | undefined;
  let got = rangeHeader ? undefined : await call.ctx.store.getObject(bucket, key);
  // A suffix or open range needs the size first; retry if the object changed in between.
  for (let attempt = 0; !got; attempt++) {
    const head = await call.ctx.store.headObject(bucket, key);
    try {
      range = parseRange(rangeHeader, head.size);
    } catch (error) {
      call.res.setHeader('content-range', `bytes */${head.size}`);
      throw error;
    }
    const candidate = await call.ctx.store.getObject(bucket, key, range);
    if (candidate.info.etag === head.etag || attempt >= 3) got = candidate;
    else candidate.body.destroy();
  }
  const { info, body } = got;
  const failed = precondition(call, info);
  if (failed) {
    body.destroy();
    return failPrecondition(call, info, failed);
  }
  const headers = responseHeaders(call, info);
  if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${info.size}`;
  headers['content-length'] = range ? range.end - range.start + 1 : info.size;
  call.res.writeHead(range ? 206 : 200, headers);
  if (call.method === 'HEAD') {
    body.destroy();
    call.res.end();
    return;
  }
  await pipeline(body, call.res);
}
