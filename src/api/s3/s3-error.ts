import type { ServerResponse } from 'node:http';
import type { AwsError } from '../../errors/aws-error.js';
import { escapeXml } from './xml.js';

/**
 * Writes an S3 XML error: `<Error><Code/><Message/><Resource/><RequestId/></Error>` plus the
 * error's extra members (Key, BucketName, …). HEAD answers carry no body, as S3's do. When the
 * response has already started (a failing GET stream) the connection is cut instead, so the
 * client sees a truncated body rather than a wrong one.
 */
export function writeS3Error(
  res: ServerResponse,
  error: AwsError,
  requestId: string,
  resource: string,
): void {
  if (res.headersSent) {
    res.destroy(error);
    return;
  }
  const extra = Object.entries(error.extra)
    .map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`)
    .join('');
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>` +
    `${extra}<Resource>${escapeXml(resource)}</Resource><RequestId>${escapeXml(requestId)}</RequestId></Error>`;
  const isHead = res.req?.method === 'HEAD';
  res.writeHead(error.status, {
    'content-type': 'application/xml',
    'content-length': isHead ? 0 : Buffer.byteLength(body),
    'x-amz-request-id': requestId,
    'x-amz-id-2': requestId,
  });
  res.end(isHead ? undefined : body);
}
