import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const cliPath = join(repoRoot, 'dist', 'cli', 'main.js');

export interface TestServer {
  readonly url: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  readonly dataDir: string;
  readonly process: ChildProcess;
  /** Output of the server so far, for diagnosing a failing test. */
  output(): string;
  /** SIGTERM and wait; removes the data dir unless `keepData`. */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** SIGKILL, as a crash would; the data dir is kept. */
  kill9(): Promise<void>;
}

export interface StartOptions {
  readonly dataDir?: string;
  readonly env?: Record<string, string>;
}

/** Starts `lathe serve` from the compiled CLI on a random port with a fresh data dir. */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lathe-test-'));
  const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--data-dir', dataDir], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      LATHE_STOP_GRACE_SECONDS: '3',
      LATHE_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  const env = options.env ?? {};
  const ini = env.LATHE_ROOT_ACCESS_KEY_ID
    ? `aws_access_key_id = ${env.LATHE_ROOT_ACCESS_KEY_ID}\naws_secret_access_key = ${env.LATHE_ROOT_SECRET_ACCESS_KEY}`
    : readFileSync(join(dataDir, 'credentials'), 'utf8');
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url,
    accessKeyId: /aws_access_key_id = (\S+)/.exec(ini)![1]!,
    secretAccessKey: /aws_secret_access_key = (\S+)/.exec(ini)![1]!,
    region: 'us-east-1',
    dataDir,
    process: child,
    output: () => out,
    async stop(stopOptions = {}) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      if (!stopOptions.keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Credentials and endpoint for the official JS SDK clients. */
export function clientConfig(server: TestServer) {
  return {
    endpoint: server.url,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  };
}
