import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from '../errors/aws-error.js';

/** STS GetCallerIdentity (AWS query protocol), which the SageMaker Python SDK calls at start. */
export function handleSts(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  identity: { accountId: string; accessKeyId: string },
  requestId: string,
): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const params = new URLSearchParams(body.toString('utf8'));
  const action = params.get('Action') ?? url.searchParams.get('Action');
  if (action !== 'GetCallerIdentity') {
    throw new AwsError(
      'UnknownOperationException',
      `STS action ${action ?? '(none)'} is not supported by Lathe.`,
    );
  }
  const xml =
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
    `<Arn>arn:aws:iam::${identity.accountId}:root</Arn><UserId>${identity.accountId}</UserId>` +
    `<Account>${identity.accountId}</Account></GetCallerIdentityResult>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
  res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  res.end(xml);
}

/** STS errors use the query protocol's XML error shape. */
export function sendStsError(res: ServerResponse, error: AwsError, requestId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const esc = (s: string) => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);
  res.writeHead(error.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  res.end(
    `<ErrorResponse><Error><Type>Sender</Type><Code>${error.code}</Code><Message>${esc(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  );
}
