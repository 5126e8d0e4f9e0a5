// What SigV4 verification costs on the invocation path (the reason B2 stops near 0.5×): one
// node:http server per layer of per-request work (test/bench/peers/layered-server.mjs), each
// loaded with the same signed one-row request and the same wrk settings as B2.
// Figures → test/bench/results/sigv4-cost.json.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, signedWrkScript, wrk } from './lib.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const credentials = { accessKeyId: 'AKIDBENCHMARK', secretAccessKey: 'bench-secret-not-used-elsewhere' };
const row =
  '17.99,10.38,122.8,1001,0.1184,0.2776,0.3001,0.1471,0.2419,0.07871,1.095,0.9053,8.589,153.4,0.006399,0.04904,0.05373,0.01587,0.03003,0.006193,25.38,17.33,184.6,2019,0.1622,0.6656,0.7119,0.2654,0.4601,0.1189';
const results = { date: new Date().toISOString(), wrk: `wrk -t1 -c32 -d${SECONDS}s`, layers: {} };
let port = 19500 + Math.floor(Math.random() * 400);
for (const layer of ['bare', 'headers', 'hashes', 'sigv4']) {
  port++;
  const server = spawn(
    process.execPath,
    [
      join(root, 'test/bench/peers/layered-server.mjs'),
      layer,
      String(port),
      credentials.accessKeyId,
      credentials.secretAccessKey,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve) => server.stdout.once('data', resolve));
  const url = `http://127.0.0.1:${port}`;
  results.layers[layer] = await wrk(
    url,
    await signedWrkScript({ url, credentials }, '/endpoints/echo/invocations', row, 'text/csv'),
    { seconds: SECONDS },
  );
  server.kill();
}
const bare = results.layers.bare.rps;
results.ratioToBare = Object.fromEntries(Object.entries(results.layers).map(([k, v]) => [k, v.rps / bare]));
mkdirSync(join(root, 'test/bench/results'), { recursive: true });
writeFileSync(join(root, 'test/bench/results/sigv4-cost.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
