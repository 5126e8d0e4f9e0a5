/**
 * Worker-thread entry of the `lathe-echo-inference` model: answers every request with its own
 * body and content type. It loads nothing, so it measures (and smoke-tests) the invocation
 * path itself: routing, signing, the thread hop.
 */
import { announce, serveRequests } from './worker-loop.js';

serveRequests((request) => ({
  status: 200,
  body: request.body,
  contentType: request.contentType ?? 'application/octet-stream',
}));
announce({ type: 'ready' });
