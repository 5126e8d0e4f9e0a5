import { AwsError } from '../../errors/aws-error.js';

/**
 * Bucket and key validation, and the on-disk names of keys. A key `a/b/c` is stored as the
 * directories `a~d/b~d` and the file `c~o`: every entry carries a type suffix, so the object
 * `a/b` (`b~o`) and the prefix `a/b/` (`b~d`) live side by side, and no key can name `.`,
 * `..` or a file of ours. Only `%`, `~` and control characters are escaped, so names stay
 * readable and a segment of up to 250 bytes fits the usual 255-byte file name limit.
 */

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY_BYTES = 1024;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_NAME_BYTES = 255;

/** Suffix of a stored object file. */
export const OBJECT_SUFFIX = '~o';
/** Suffix of a directory holding keys of a shared prefix. */
export const DIR_SUFFIX = '~d';

/** Throws InvalidBucketName unless the name follows S3's bucket naming rules. */
export function assertBucketName(name: string): void {
  const ok =
    BUCKET_RE.test(name) &&
    !name.includes('..') &&
    !name.includes('.-') &&
    !name.includes('-.') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !name.startsWith('xn--');
  if (!ok) {
    throw new AwsError(
      'InvalidBucketName',
      `The specified bucket is not valid: "${name}". Bucket names are 3-63 characters of lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit.`,
      { BucketName: name },
    );
  }
}

/** Throws unless the key is safe to store: bounded, relative, without `.`/`..` segments, NUL or backslash. */
export function assertKey(key: string): void {
  if (key.length === 0) throw new AwsError('InvalidArgument', 'The object key must not be empty.');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new AwsError(
      'KeyTooLongError',
      `Your key is too long: "${key.slice(0, 64)}…" exceeds 1024 bytes.`,
      {
        Key: key,
      },
    );
  }
  const reason = unsafeKeyReason(key);
  if (reason) throw new AwsError('InvalidArgument', `Invalid object key "${key}": ${reason}.`, { Key: key });
  for (const segment of key.split('/')) {
    if (Buffer.byteLength(encodeSegment(segment), 'utf8') + 2 > MAX_NAME_BYTES) {
      throw new AwsError(
        'KeyTooLongError',
        `Key "${key}" has a path segment longer than the embedded store allows (about 250 bytes between slashes).`,
        { Key: key },
      );
    }
  }
}

function unsafeKeyReason(key: string): string | undefined {
  if (key.includes('\0')) return 'it contains a NUL character';
  if (key.includes('\\')) return 'it contains a backslash';
  if (key.startsWith('/')) return 'it starts with "/"';
  if (key.split('/').some((s) => s === '..' || s === '.')) return 'it contains a "." or ".." path segment';
  if (LONE_SURROGATE_RE.test(key)) return 'it is not valid UTF-8';
  return undefined;
}

/** Escapes the characters that would be ambiguous or awkward in a file name. */
export function encodeSegment(segment: string): string {
  return segment.replace(
    /[%~\u0000-\u001f\u007f]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

export function decodeSegment(name: string): string {
  return name.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** Relative path (from the bucket directory) of the file holding `key`. */
export function keyToPath(key: string): string {
  const segments = key.split('/');
  const last = segments.pop() ?? '';
  return [...segments.map((s) => encodeSegment(s) + DIR_SUFFIX), encodeSegment(last) + OBJECT_SUFFIX].join(
    '/',
  );
}

/** Compares two strings by their UTF-8 bytes, the order S3 lists keys in. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
