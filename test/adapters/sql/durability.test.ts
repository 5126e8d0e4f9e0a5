import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMetadataStore } from '../../../src/adapters/sql/open-metadata-store.js';

const here = dirname(fileURLToPath(import.meta.url));
const writer = join(here, 'fixtures/durability-writer.mjs');
const compiled = resolve(here, '../../../dist/adapters/sql/open-metadata-store.js');
const group = '/aws/sagemaker/TrainingJobs';
const eventsPerBatch = 50;

describe('SQLite metadata store durability', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(compiled))
      throw new Error(`${compiled} is missing: run \`npx tsc -p tsconfig.json\` first.`);
    dir = mkdtempSync(join(tmpdir(), 'lathe-durability-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged write after kill -9 of the writing process', async () => {
    const path = join(dir, 'store.db');
    const { lines, signal } = await runAndKill(path, 600);
    expect(signal).toBe('SIGKILL');

    const jobs = lines.filter((l) => l.startsWith('job ')).map((l) => l.slice(4));
    const logBatches = lines.filter((l) => l.startsWith('log ')).map((l) => Number(l.slice(4)));
    const updates = lines.filter((l) => l.startsWith('update ')).map((l) => l.slice(7));
    const resources = lines.filter((l) => l.startsWith('resource ')).map((l) => l.slice(9));
    const resourceUpdates = lines.filter((l) => l.startsWith('resource-update ')).map((l) => l.slice(16));
    const enqueued = lines.filter((l) => l.startsWith('enqueue ')).map((l) => l.slice(8));
    expect(jobs.length).toBeGreaterThan(30);
    expect(resourceUpdates.length).toBeGreaterThan(5);
    expect(enqueued.length).toBeGreaterThan(20);

    const raw = new Database(path);
    try {
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      raw.close();
    }

    const store = await openMetadataStore(`sqlite://${path}`);
    try {
      for (const name of jobs) expect((await store.trainingJobs.get(name))?.name).toBe(name);
      for (const name of updates) expect((await store.trainingJobs.get(name))?.status).toBe('Completed');

      for (const name of resources) {
        const i = Number(name.slice('endpoint-'.length));
        const read = await store.resources.get('endpoint', name);
        expect(read?.record).toMatchObject({ EndpointConfigName: `config-${i}`, i });
      }
      // The listed status column was committed with the record it was derived from.
      for (const name of resourceUpdates) {
        expect(await store.resources.get('endpoint', name)).toMatchObject({
          status: 'InService',
          record: { updated: true },
        });
      }
      const inService = await store.resources.list('endpoint', { statusEquals: 'InService' });
      for (const r of inService) expect(r.record).toMatchObject({ updated: true });

      // Every acknowledged item is queued once, with its payload; at most one more was in flight.
      const size = await store.workQueue.size('durability');
      expect(size).toBeGreaterThanOrEqual(enqueued.length);
      expect(size).toBeLessThanOrEqual(enqueued.length + 1);
      const claimed = await store.workQueue.claim('durability', 'checker', 60_000, 1_000_000);
      const byId = new Map(claimed.map((item) => [item.id, item]));
      expect(byId.size).toBe(claimed.length);
      for (const id of enqueued) {
        const i = Number(id.slice('request-'.length));
        expect(byId.get(id)).toMatchObject({ attempts: 1, payload: { input: `s3://bucket/in/${i}.csv`, i } });
      }

      const events = await store.logs.getEvents(group, 'writer', { fromHead: true, limit: 1_000_000 });
      const perBatch = new Map<number, number>();
      for (const e of events) {
        const batch = Number(e.message.split(' ')[1]);
        perBatch.set(batch, (perBatch.get(batch) ?? 0) + 1);
      }
      // Acknowledged batches are whole; an unacknowledged one is all or nothing, never torn.
      for (const batch of logBatches) expect(perBatch.get(batch)).toBe(eventsPerBatch);
      for (const count of perBatch.values()) expect(count).toBe(eventsPerBatch);

      // The stream summary was committed with the events it describes.
      const [stream] = await store.logs.listStreams(group, { orderBy: 'LogStreamName', descending: false });
      const bytes = events.reduce((sum, e) => sum + Buffer.byteLength(e.message), 0);
      expect(stream?.storedBytes).toBe(bytes);
    } finally {
      await store.close();
    }
  });
});

/** Starts the writer, SIGKILLs it once `acks` lines are acknowledged, returns the complete lines. */
function runAndKill(path: string, acks: number): Promise<{ lines: string[]; signal: NodeJS.Signals | null }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [writer, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let acked = 0;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      acked += chunk.split('\n').length - 1;
      if (acked >= acks && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    // A writer that stops acknowledging must not hang the test.
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`writer exited on its own (code ${code}): ${err}`));
        return;
      }
      // Only newline-terminated lines were acknowledged in full.
      const lines = out.split('\n').slice(0, -1);
      resolvePromise({ lines, signal });
    });
  });
}
