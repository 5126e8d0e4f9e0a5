import { join } from 'node:path';
import type { ObjectStore } from '../../ports/object-store.js';
import { createFsObjectStore } from './fs-object-store.js';
import { createS3ObjectStore } from './s3-object-store.js';

/**
 * Picks the object store by URL: none → the embedded directory store at
 * `<dataDir>/objects`; `file:///path` → a directory store there;
 * `s3+http(s)://KEY:SECRET@host:port?region=r[&forcePathStyle=false]` → an S3-compatible
 * server (MinIO, Ceph, AWS S3), whose SDK is loaded only then.
 */
export async function openObjectStore(url: string | undefined, dataDir: string): Promise<ObjectStore> {
  if (url === undefined || url.trim() === '') return createFsObjectStore(join(dataDir, 'objects'));
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Object store URL is not a URL: ${redact(url)}`);
  }
  if (parsed.protocol === 'file:') return createFsObjectStore(decodeURIComponent(parsed.pathname));
  if (parsed.protocol === 's3+http:' || parsed.protocol === 's3+https:') {
    if (!parsed.username || !parsed.password) {
      throw new Error(
        `Object store URL ${redact(url)} must carry credentials: s3+http://KEY:SECRET@host:port`,
      );
    }
    return createS3ObjectStore({
      endpoint: `${parsed.protocol.slice(3)}//${parsed.host}`,
      region: parsed.searchParams.get('region') ?? 'us-east-1',
      accessKeyId: decodeURIComponent(parsed.username),
      secretAccessKey: decodeURIComponent(parsed.password),
      forcePathStyle: parsed.searchParams.get('forcePathStyle') !== 'false',
    });
  }
  throw new Error(
    `Unsupported object store URL scheme "${parsed.protocol}" (use s3+http:, s3+https: or file:).`,
  );
}

/** The URL without its secret, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
