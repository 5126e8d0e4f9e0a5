import { spawn } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { createInterface } from 'node:readline';
import type { InvocationRequest } from '../../ports/endpoint-fleet.js';
import { INSTANCE_STOPPING, type InstanceReply, type ModelInstance } from './model-instance.js';

export interface ProcessInstanceSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly startupTimeoutMs: number;
  /** Each line the model server prints (its logs). */
  readonly onLine: (line: string) => void;
  /** SageMaker's limit for one invocation inside the container. */
  readonly invocationTimeoutMs: number;
}

/**
 * A model instance in a child process that speaks the container contract (GET /ping,
 * POST /invocations) on a loopback port it announces with "LATHE_READY <port>".
 */
export async function startProcessInstance(id: string, spec: ProcessInstanceSpec): Promise<ModelInstance> {
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    env: { ...spec.env },
    // stdin stays open for the server's life: when Lathe dies (even by kill -9) the pipe
    // closes and the model server exits instead of lingering as an orphan.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stopping = false;
  let outstanding = 0;
  const exited = new Promise<{ expected: boolean; reason: string }>((resolve) => {
    child.once('exit', (code, signal) =>
      resolve({ expected: stopping, reason: `the model server exited (${signal ?? `code ${code}`})` }),
    );
    child.once('error', (e) =>
      resolve({ expected: stopping, reason: `the model server could not start: ${e.message}` }),
    );
  });
  const recent: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the model server did not start within ${spec.startupTimeoutMs / 1000} s`)),
      spec.startupTimeoutMs,
    );
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => {
        const m = /^LATHE_READY (\d+)$/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
          return;
        }
        recent.push(line);
        if (recent.length > 8) recent.shift();
        spec.onLine(line);
      });
    }
    void exited.then(({ reason }) => {
      clearTimeout(timer);
      reject(new Error(`${reason}: ${recent.join(' | ').slice(-800)}`));
    });
  }).catch((e: Error) => {
    child.kill('SIGKILL');
    throw e;
  });

  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const call = (
    method: string,
    path: string,
    body?: Buffer,
    headers: Record<string, string> = {},
    timeoutMs = spec.invocationTimeoutMs,
    stream = false,
  ) =>
    new Promise<InstanceReply>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method, path, agent, headers, timeout: timeoutMs },
        (res) => {
          const status = res.statusCode ?? 500;
          const contentType = String(res.headers['content-type'] ?? 'application/octet-stream');
          const customAttributes = res.headers['x-amzn-sagemaker-custom-attributes'] as string | undefined;
          if (stream && status >= 200 && status <= 299) {
            // Handed over as it arrives; a model server that dies mid-answer ends the iteration
            // with an error.
            resolve({ status, body: Buffer.alloc(0), contentType, customAttributes, chunks: res });
            return;
          }
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status, body: Buffer.concat(chunks), contentType, customAttributes }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
      req.on('error', reject);
      req.end(body);
    });

  const ping = await call('GET', '/ping', undefined, {}, 2000);
  if (ping.status !== 200) {
    child.kill('SIGKILL');
    throw new Error(`the model server answered /ping with ${ping.status}`);
  }

  return {
    id,
    get outstanding() {
      return outstanding;
    },
    async invoke(request: InvocationRequest) {
      if (stopping) throw new Error(INSTANCE_STOPPING);
      const headers: Record<string, string> = { 'content-length': String(request.body.length) };
      if (request.contentType) headers['content-type'] = request.contentType;
      if (request.accept) headers.accept = request.accept;
      if (request.customAttributes) headers['x-amzn-sagemaker-custom-attributes'] = request.customAttributes;
      outstanding++;
      try {
        return await call('POST', '/invocations', request.body, headers, request.timeoutMs, request.stream);
      } finally {
        outstanding--;
      }
    },
    exited,
    async stop(graceMs: number) {
      stopping = true;
      const deadline = Date.now() + graceMs;
      while (outstanding > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      agent.destroy();
    },
  };
}
