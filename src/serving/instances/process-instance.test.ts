import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { servingWorkerEntry } from '../instance-factories.js';
import { startProcessInstance } from './process-instance.js';

// A script-mode model whose prediction takes as many milliseconds as the request says.
const dir = mkdtempSync(join(tmpdir(), 'lathe-slow-model-'));
writeFileSync(
  join(dir, 'inference.mjs'),
  `export const modelFn = () => ({});
export const inputFn = (body) => Number(body.toString());
export const predictFn = async (ms) => { await new Promise((r) => setTimeout(r, ms)); return { slept: ms }; };
`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('process instance invocation timeout', () => {
  it('applies the real-time limit by default and a request’s own limit when it has one', async () => {
    const instance = await startProcessInstance('slow-1', {
      command: process.execPath,
      args: [servingWorkerEntry('node-script-server')],
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        SM_MODEL_DIR: dir,
        LATHE_CODE_DIR: dir,
        SAGEMAKER_PROGRAM: 'inference.mjs',
      },
      startupTimeoutMs: 10_000,
      onLine: () => {},
      invocationTimeoutMs: 300, // stands for SageMaker's 60 s
    });
    try {
      await expect(instance.invoke({ body: Buffer.from('800') })).rejects.toThrow(/no answer within 0.3 s/);
      // Async inference and batch transform carry longer limits (InvocationTimeoutSeconds,
      // InvocationsTimeoutInSeconds).
      const reply = await instance.invoke({ body: Buffer.from('800'), timeoutMs: 5000 });
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body.toString())).toEqual({ slept: 800 });
    } finally {
      await instance.stop(0);
    }
  });
});
