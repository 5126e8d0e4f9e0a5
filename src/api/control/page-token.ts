import { createHash } from 'node:crypto';
import { validationError } from '../../errors/aws-error.js';

/**
 * Opaque NextToken: the next offset plus a fingerprint of the query, so a token cannot be
 * replayed against a different filter or sort.
 */
function fingerprint(query: unknown): string {
  return createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 16);
}

export function encodePageToken(offset: number, query: unknown): string {
  return Buffer.from(JSON.stringify({ o: offset, q: fingerprint(query) })).toString('base64url');
}

export function decodePageToken(token: string, query: unknown): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      o?: unknown;
      q?: unknown;
    };
    if (
      typeof parsed.o === 'number' &&
      Number.isInteger(parsed.o) &&
      parsed.o >= 0 &&
      parsed.q === fingerprint(query)
    ) {
      return parsed.o;
    }
  } catch {
    // fall through
  }
  throw validationError('Invalid pagination token: NextToken does not belong to this request.');
}
