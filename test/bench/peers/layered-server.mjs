// A node:http server that answers each POST with its own body, doing one more layer of what
// Lathe must do per request than the layer before (argv[2]):
//   bare     nothing else;
//   headers  reads the request headers (Node builds them lazily);
//   hashes   + two SHA-256 (the body's and one of a canonical-request-sized string);
//   sigv4    + Lathe's full SigV4 verification (dist/security/sigv4.js).
// Answers are written once per event-loop turn, as Lathe's in-process lane writes them.
import http from 'node:http';
import { sha256Hex, verifySigV4 } from '../../../dist/security/sigv4.js';

const [layer, port, accessKeyId, secret] = process.argv.slice(2);
const lookupSecret = (id) => (id === accessKeyId ? secret : undefined);
let answers = [];
const answerAll = () => {
  const due = answers;
  answers = [];
  for (const answer of due) answer();
};
http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      if (layer !== 'bare') void req.headers.authorization;
      if (layer === 'hashes') sha256Hex(`${sha256Hex(body)}${'x'.repeat(200)}`);
      if (layer === 'sigv4') {
        verifySigV4(req, { dialect: 'json', lookupSecret, maxSkewSeconds: 900, bodySha256: sha256Hex(body) });
      }
      if (answers.length === 0) setImmediate(answerAll);
      answers.push(() => {
        res.writeHead(200, { 'content-type': 'text/csv', 'content-length': body.length });
        res.end(body);
      });
    });
  })
  .listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
