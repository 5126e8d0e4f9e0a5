// Shared pieces of the benchmarks: start a Lathe server, sign a request for wrk, run wrk.
import { execFile, spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SignatureV4 } from '@smithy/signature-v4';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);

export class Sha256 {
  constructor(secret) {
    this.hash = secret ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

/** Starts `lathe serve` on a free port with a fresh data dir; resolves with URL and credentials. */
export async function startLathe(env = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'lathe-bench-'));
  const child = spawn(
    process.execPath,
    [join(root, 'dist/cli/main.js'), 'serve', '--port', '0', '--data-dir', dataDir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, LATHE_LOG_LEVEL: 'warn', ...env },
    },
  );
  const url = await new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
  });
  const ini = readFileSync(join(dataDir, 'credentials'), 'utf8');
  const credentials = {
    accessKeyId: /aws_access_key_id = (\S+)/.exec(ini)[1],
    secretAccessKey: /aws_secret_access_key = (\S+)/.exec(ini)[1],
  };
  return {
    url,
    dataDir,
    credentials,
    config: { endpoint: url, region: 'us-east-1', credentials },
    stop: () => child.kill('SIGTERM'),
  };
}

/** A wrk Lua script that replays one SigV4-signed POST (valid for the 15-minute skew window). */
export async function signedWrkScript(lathe, path, body, contentType) {
  const url = new URL(lathe.url);
  const signer = new SignatureV4({
    service: 'sagemaker',
    region: 'us-east-1',
    sha256: Sha256,
    credentials: lathe.credentials,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path,
    query: {},
    headers: { host: url.host, 'content-type': contentType },
    body,
  });
  return luaScript(
    body,
    Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k !== 'host')),
    path,
  );
}

export function luaScript(body, headers, path) {
  const lines = ['wrk.method = "POST"', `wrk.body = ${JSON.stringify(body)}`];
  if (path) lines.push(`wrk.path = ${JSON.stringify(path)}`);
  for (const [k, v] of Object.entries(headers))
    lines.push(`wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
  const file = join(mkdtempSync(join(tmpdir(), 'lathe-wrk-')), 'request.lua');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const toMs = (value, unit) => Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60000 }[unit] ?? 1);

/** Runs wrk with the same settings for every server (bench README: -t1 -c32). */
export async function wrk(url, script, { seconds = 10, connections = 32 } = {}) {
  const { stdout } = await run(
    'wrk',
    ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url],
    {
      maxBuffer: 1 << 20,
    },
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const p = (q) => {
    const m = new RegExp(`\\s${q}%\\s+([\\d.]+)(us|ms|s|m)`).exec(stdout);
    return m ? toMs(m[1], m[2]) : Number.NaN;
  };
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  const errors = /Socket errors: (.*)/.exec(stdout)?.[1];
  return { rps, p50ms: p(50), p99ms: p(99), non2xx, socketErrors: errors ?? 'none' };
}

/** Polls `check` every `intervalMs` until it holds; throws after `ms`. */
export async function waitFor(check, ms = 60_000, intervalMs = 20) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
