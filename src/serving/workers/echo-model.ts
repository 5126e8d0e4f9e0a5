/** The echo model: the request's own bytes and content type back, status 200. */
export function echoReply<B>(body: B, contentType: string | undefined) {
  return { status: 200, body, contentType: contentType ?? 'application/octet-stream' };
}
