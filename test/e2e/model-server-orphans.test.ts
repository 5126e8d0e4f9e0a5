import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { deployEndpoint } from '../helpers/endpoints.js';
import { createNodeModel } from '../helpers/node-model.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { clients } from '../helpers/training.js';

const dataDir = mkdtempSync(join(tmpdir(), 'lathe-orphans-'));
let server: TestServer | undefined;
afterAll(async () => {
  await server?.stop({ keepData: true });
  rmSync(dataDir, { recursive: true, force: true });
});

/** Processes whose working directory is under this data dir's endpoints (model servers). */
function modelServers(): number {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/cwd`).startsWith(join(dataDir, 'endpoints'))) n++;
    } catch {
      // gone, or not ours
    }
  }
  return n;
}

describe('script-mode model servers', () => {
  it('exit when the server that started them is killed with -9', async () => {
    server = await startServer({ dataDir });
    const c = clients(server);
    await c.s3.send(new CreateBucketCommand({ Bucket: 'orphans' }));
    await createNodeModel(
      c,
      'orphans',
      'echo-node',
      'export const modelFn = () => ({}); export const transformFn = (_m, body) => [body, "text/plain"];',
    );
    await deployEndpoint(c.sm, 'orphans', [{ model: 'echo-node', count: 2 }]);
    expect(modelServers()).toBe(2);
    await server.kill9();
    server = undefined;
    const deadline = Date.now() + 5000;
    while (modelServers() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(modelServers()).toBe(0);
  });
});
