import { readdirSync, readlinkSync } from 'node:fs';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  DescribeEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig, startServer, type TestServer } from '../helpers/server.js';
import { createSklearnModel } from '../helpers/sklearn-model.js';
import { clients } from '../helpers/training.js';

let server: TestServer;
let c: ReturnType<typeof clients>;
let runtime: SageMakerRuntimeClient;

beforeAll(async () => {
  server = await startServer({ env: { LATHE_SERVERLESS_IDLE_SECONDS: '1.5' } });
  c = clients(server);
  runtime = new SageMakerRuntimeClient({ ...clientConfig(server), maxAttempts: 1 });
  await createSklearnModel(c, 'serverless', 'sk-serverless');
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

/** Model-server processes of this server's endpoints (their working directory is in its data dir). */
function modelServers(): number {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/cwd`).startsWith(`${server.dataDir}/endpoints/`)) n++;
    } catch {
      // gone, or not ours
    }
  }
  return n;
}

describe('serverless endpoints', () => {
  it('keep no instance while idle, start one on the first request, and scale back to zero', async () => {
    await c.sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'sls-config',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'sk-serverless',
            ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 1 },
          },
        ],
      }),
    );
    await c.sm.send(new CreateEndpointCommand({ EndpointName: 'sls', EndpointConfigName: 'sls-config' }));
    for (;;) {
      const d = await c.sm.send(new DescribeEndpointCommand({ EndpointName: 'sls' }));
      if (d.EndpointStatus === 'InService') break;
      expect(d.EndpointStatus).toBe('Creating');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(modelServers()).toBe(0);

    const invoke = () =>
      runtime.send(
        new InvokeEndpointCommand({ EndpointName: 'sls', ContentType: 'text/csv', Body: '5.1,3.5,1.4,0.2' }),
      );
    const first = await invoke();
    expect(JSON.parse(new TextDecoder().decode(first.Body)).labels).toEqual([0]);
    expect(modelServers()).toBe(1);

    // MaxConcurrency 1: a second request while one is in flight is throttled.
    const results = await Promise.allSettled(Array.from({ length: 6 }, invoke));
    const throttled = results.filter(
      (r) => r.status === 'rejected' && (r.reason as { name?: string }).name === 'ThrottlingException',
    );
    expect(throttled.length).toBeGreaterThan(0);
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);

    // Idle for longer than LATHE_SERVERLESS_IDLE_SECONDS: back to zero, and up again on demand.
    const deadline = Date.now() + 10_000;
    while (modelServers() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(modelServers()).toBe(0);
    expect(JSON.parse(new TextDecoder().decode((await invoke()).Body)).labels).toEqual([0]);
    expect(modelServers()).toBe(1);
  });
});
