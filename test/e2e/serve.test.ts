import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTrainingJobsCommand } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server.js';
import { clients } from '../helpers/training.js';

describe('lathe serve', () => {
  it('creates a root key pair in a 0600 credentials file, keeps it across restarts, and binds to 127.0.0.1', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lathe-serve-'));
    try {
      const first = await startServer({ dataDir });
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const file = join(dataDir, 'credentials');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8')).toMatch(
        /^\[lathe\]\naws_access_key_id = \S+\naws_secret_access_key = \S+\n$/,
      );
      expect(first.output()).not.toContain(first.secretAccessKey);
      await first.stop({ keepData: true });
      expect(first.process.exitCode).toBe(0);

      const second = await startServer({ dataDir });
      expect(second.accessKeyId).toBe(first.accessKeyId);
      await clients(second).sm.send(new ListTrainingJobsCommand({}));
      await second.stop({ keepData: true });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('uses LATHE_ROOT_ACCESS_KEY_ID / LATHE_ROOT_SECRET_ACCESS_KEY when given', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lathe-serve-'));
    const server = await startServer({
      dataDir,
      env: {
        LATHE_ROOT_ACCESS_KEY_ID: 'LKIACONFIGURED000001',
        LATHE_ROOT_SECRET_ACCESS_KEY: 'configured-secret-0123456789abcdef',
      },
    });
    try {
      expect(server.accessKeyId).toBe('LKIACONFIGURED000001');
      expect(() => statSync(join(dataDir, 'credentials'))).toThrow();
      const c = clients(server);
      const out = await c.sm.send(new ListTrainingJobsCommand({}));
      expect(out.TrainingJobSummaries).toEqual([]);
    } finally {
      await server.stop({ keepData: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a bad setting with a message naming it', () => {
    let message = '';
    try {
      execFileSync(process.execPath, ['dist/cli/main.js', 'serve', '--port', 'seventy'], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (e) {
      message = String((e as { stderr?: string }).stderr);
    }
    expect(message).toMatch(/Invalid configuration: port/);
  });
});
