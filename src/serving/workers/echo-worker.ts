/**
 * Worker-thread entry of the `lathe-echo-inference` model: answers every request with its own
 * body and content type. It loads nothing, so it measures (and smoke-tests) the invocation
 * path itself: routing, signing, the thread hop (for requests its in-process lane declines).
 */
import { echoReply } from './echo-model.js';
import { announce, serveRequests } from './worker-loop.js';

serveRequests((request) => echoReply(request.body, request.contentType));
announce({ type: 'ready', inline: true });
