import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { duplicateDescriptor } from '../../adapters/os/duplicate-fd.js';
import { FrontThreads } from './front-threads.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function start(): Promise<{ server: Server; url: string; fronts: FrontThreads }> {
  // The "main thread": answers every request itself, including those passed on to it.
  const server = createServer((req, res) => res.end(`main ${req.method} ${req.url}`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const fronts = new FrontThreads({
    count: 2,
    duplicateListener: duplicateDescriptor,
    accessKeyId: 'AKIDFRONTTHREADS',
    secretAccessKey: 'front-threads-secret-for-tests',
    maxClockSkewSeconds: 900,
    region: 'us-east-1',
    accountId: '000000000000',
    metrics: { recordInvocation() {}, recordRouterFailure() {} },
    logger: quiet,
  });
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  await fronts.listen(fd, port);
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  closers.push(() => fronts.close());
  return { server, url: `http://127.0.0.1:${port}`, fronts };
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

describe('FrontThreads', () => {
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

  it('resolves a routing change once every thread has it, and closes with the main socket still open', async () => {
    const { url, fronts } = await start();
    await fronts.publish('e', { variants: [{ name: 'A', weight: 1, lane: { kind: 'echo' } }] });
    await fronts.publish('e', undefined);
    await fronts.close();
    expect(await get(url, 5)).toEqual([
      'main GET /r0?q=1',
      'main GET /r1?q=1',
      'main GET /r2?q=1',
      'main GET /r3?q=1',
      'main GET /r4?q=1',
    ]);
  });
});
