import { closeSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'node:worker_threads';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it } from 'vitest';
import { duplicateDescriptor } from '../../adapters/os/duplicate-fd.js';
import { Sha256 } from '../../testing/sha256.js';
import { FrontThreads } from './front-threads.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const credentials = { accessKeyId: 'AKIDFRONTTHREADS', secretAccessKey: 'front-threads-secret-for-tests' };
const debugLines: Record<string, unknown>[] = [];
const recorded: unknown[][] = [];

const listening = (server: Server) =>
  new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
const closing = (server: Server) => new Promise<void>((r) => server.close(() => r()));
const newFronts = () =>
  new FrontThreads({
    count: 2,
    duplicateListener: duplicateDescriptor,
    ...credentials,
    maxClockSkewSeconds: 900,
    region: 'us-east-1',
    accountId: '000000000000',
    logRequests: true,
    metrics: { recordInvocation: (...args) => recorded.push(args), recordRouterFailure() {} },
    logger: { ...quiet, debug: (message, fields) => debugLines.push({ message, ...fields }) },
  });

/**
 * As platform.ts sets them up: the front threads take over a listening socket (the only ones
 * accepting on it), and pass requests on to the "main thread", which answers every request
 * itself with its method and path.
 */
async function start(): Promise<{ url: string; spare: number; mainPort: number; fronts: FrontThreads }> {
  const main = createServer((req, res) => res.end(`main ${req.method} ${req.url}`));
  const mainPort = await listening(main);
  const listener = createServer();
  const port = await listening(listener);
  const spare = duplicateDescriptor((listener as unknown as { _handle: { fd: number } })._handle.fd)!;
  const fronts = newFronts();
  await fronts.listen(spare, mainPort);
  await closing(listener);
  closers.push(() => closing(main));
  closers.push(async () => closeSync(spare));
  closers.push(() => fronts.close());
  return { url: `http://127.0.0.1:${port}`, spare, mainPort, fronts };
}

/** Requests, each on a connection of its own so that every thread takes some. */
async function get(url: string, count: number): Promise<string[]> {
  const answers: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${url}/r${i}?q=1`, { headers: { connection: 'close' } });
    answers.push(await res.text());
  }
  return answers;
}

const workersOf = (fronts: FrontThreads) => (fronts as unknown as { fronts: Set<{ worker: Worker }> }).fronts;

/** A signed InvokeEndpoint, on a connection of its own. */
async function invoke(url: string, endpoint: string, body: string): Promise<Response> {
  const { hostname, port, host } = new URL(url);
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'sagemaker', sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname,
    port: Number(port),
    path: `/endpoints/${endpoint}/invocations`,
    headers: { host, 'content-type': 'text/csv', connection: 'close' },
    body,
  });
  return fetch(`${url}/endpoints/${endpoint}/invocations`, {
    method: 'POST',
    headers: signed.headers,
    body,
  });
}

describe('FrontThreads', () => {
  it('answers a routed invocation itself: the lane, the variant, the metrics and the access log', async () => {
    const { url, fronts } = await start();
    await fronts.publish('e', { variants: [{ name: 'A', weight: 1, lane: { kind: 'echo' } }] });
    for (let i = 0; i < 10; i++) {
      const res = await invoke(url, 'e', `1,2,${i}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-amzn-invoked-production-variant')).toBe('A');
      expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
      expect(await res.text()).toBe(`1,2,${i}`);
    }
    // Nothing reached the "main thread": every request was answered by a front thread.
    await expect.poll(() => fronts.counts.answered, { timeout: 2_000 }).toBe(10);
    expect(fronts.counts.passedOn).toBe(0);
    expect(recorded.filter((r) => r[0] === 'e' && r[1] === 'A' && r[2] === 200)).toHaveLength(10);
    expect(
      debugLines.filter((l) => l.message === 'request' && l.path === '/endpoints/e/invocations'),
    ).toHaveLength(10);
    // Once the route goes, the same request is passed on.
    await fronts.publish('e', undefined);
    expect(await (await invoke(url, 'e', '1')).text()).toBe('main POST /endpoints/e/invocations');
  });

  it('passes on what it does not answer, and counts it', async () => {
    const { url, fronts } = await start();
    const answers = await get(url, 40);
    expect(answers).toEqual(answers.map((_, i) => `main GET /r${i}?q=1`));
    await expect.poll(() => fronts.counts.passedOn, { timeout: 2_000 }).toBeGreaterThan(0);
  });

  it('replaces a front thread that ends, and the socket keeps accepting on every thread', async () => {
    const { url, fronts } = await start();
    const [first] = [...workersOf(fronts)];
    await first!.worker.terminate();
    await expect.poll(() => workersOf(fronts).size, { timeout: 5_000 }).toBe(2);
    expect(workersOf(fronts).has(first as never)).toBe(false);
    const before = fronts.counts.passedOn;
    expect(await get(url, 40)).toHaveLength(40);
    await expect.poll(() => fronts.counts.passedOn, { timeout: 2_000 }).toBeGreaterThan(before);
  });

  it('resolves a routing change once every thread has it, and closes only its own descriptors', async () => {
    const { url, spare, mainPort, fronts } = await start();
    await fronts.publish('e', { variants: [{ name: 'A', weight: 1, lane: { kind: 'echo' } }] });
    await fronts.publish('e', undefined);
    await fronts.close();
    // The socket is still open: new front threads accept on it again.
    const again = newFronts();
    closers.push(() => again.close());
    await again.listen(spare, mainPort);
    expect(await get(url, 3)).toEqual(['main GET /r0?q=1', 'main GET /r1?q=1', 'main GET /r2?q=1']);
  });
});
