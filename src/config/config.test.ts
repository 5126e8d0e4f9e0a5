import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('layers defaults < file < environment < flags', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lathe-cfg-')), 'lathe.json');
    writeFileSync(file, JSON.stringify({ port: 8000, region: 'eu-west-1', maxConcurrentJobs: 4 }));
    const config = loadConfig(
      { port: 9000 },
      { LATHE_CONFIG: file, LATHE_PORT: '8500', LATHE_REGION: 'eu-central-1' },
    );
    expect(config.port).toBe(9000);
    expect(config.region).toBe('eu-central-1');
    expect(config.maxConcurrentJobs).toBe(4);
    expect(config.host).toBe('127.0.0.1');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names a misspelt key in the configuration file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lathe-cfg-')), 'lathe.json');
    writeFileSync(file, JSON.stringify({ prot: 8000 }));
    expect(() => loadConfig({}, { LATHE_CONFIG: file })).toThrow(/prot/);
  });

  it('refuses half a root key pair', () => {
    expect(() => loadConfig({}, { LATHE_ROOT_ACCESS_KEY_ID: 'LKIAONLYTHEIDPART00' })).toThrow(/go together/);
  });

  it('passes job processes only harmless variables of its own environment', () => {
    const config = loadConfig(
      {},
      { PATH: '/usr/bin', AWS_SECRET_ACCESS_KEY: 'secret', LATHE_CONFIG: '', OMP_NUM_THREADS: '1' },
    );
    expect(config.childEnv).toEqual({ PATH: '/usr/bin', OMP_NUM_THREADS: '1' });
  });
});
