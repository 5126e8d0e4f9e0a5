import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateEndpointConfigCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployEndpoint, waitForEndpoint } from '../helpers/endpoints.js';
import { downloadObject } from '../helpers/objects.js';
import { pythonPredictions } from '../helpers/python.js';
import { firstValidationRow, type ServingFixture, startServingFixture } from '../helpers/serving-fixture.js';
import { createSklearnModel } from '../helpers/sklearn-model.js';
import { datasetsDir } from '../helpers/training.js';

const bucket = 'serving';
let fixture: ServingFixture;
let c: ServingFixture['c'];
let runtime: SageMakerRuntimeClient;
let modelData: string;

beforeAll(async () => {
  fixture = await startServingFixture(bucket);
  ({ c, runtime, modelData } = fixture);
}, 120_000);
afterAll(async () => {
  await fixture?.server.stop();
});

describe('built-in XGBoost endpoints', () => {
  it('answers CSV and JSON with exactly the predictions Python xgboost makes', async () => {
    await deployEndpoint(c.sm, 'bc-endpoint', [{ name: 'AllTraffic', model: 'model-a', weight: 1 }]);
    const csvPath = join(datasetsDir, 'breast-cancer', 'validation.csv');
    const rows = readFileSync(csvPath, 'utf8').trim().split('\n');
    const features = rows.map((r) => r.split(',').slice(1).join(','));
    const expected = pythonPredictions(await downloadObject(c.s3, modelData), csvPath, { labelled: true });

    const csv = await runtime.send(
      new InvokeEndpointCommand({
        EndpointName: 'bc-endpoint',
        ContentType: 'text/csv',
        Body: features.join('\n'),
      }),
    );
    expect(csv.InvokedProductionVariant).toBe('AllTraffic');
    const got = new TextDecoder().decode(csv.Body).trim().split('\n').map(Number);
    expect(got).toHaveLength(expected.length);
    for (const [i, p] of got.entries()) expect(Math.abs(p - expected[i]!)).toBeLessThan(1e-6);

    // Rows sent one at a time are answered by the instance's in-process lane, the batch above
    // by its worker thread: the same text, row for row.
    const lines = new TextDecoder().decode(csv.Body).trim().split('\n');
    for (const [i, f] of features.entries()) {
      const one = await runtime.send(
        new InvokeEndpointCommand({ EndpointName: 'bc-endpoint', ContentType: 'text/csv', Body: f }),
      );
      expect(new TextDecoder().decode(one.Body).trim()).toBe(lines[i]);
    }

    // A large batch (≥ 256 rows) is answered by libxgboost rather than the evaluator: same bits.
    const trainPath = join(datasetsDir, 'breast-cancer', 'train.csv');
    const trainRows = readFileSync(trainPath, 'utf8').trim().split('\n');
    const big = await runtime.send(
      new InvokeEndpointCommand({
        EndpointName: 'bc-endpoint',
        ContentType: 'text/csv',
        Body: trainRows.map((r) => r.split(',').slice(1).join(',')).join('\n'),
      }),
    );
    const bigGot = new TextDecoder().decode(big.Body).trim().split('\n').map(Number);
    const bigExpected = pythonPredictions(await downloadObject(c.s3, modelData), trainPath, {
      labelled: true,
    });
    expect(bigGot).toHaveLength(455);
    for (const [i, p] of bigGot.entries()) expect(Math.abs(p - bigExpected[i]!)).toBeLessThan(1e-6);

    const json = await runtime.send(
      new InvokeEndpointCommand({
        EndpointName: 'bc-endpoint',
        ContentType: 'application/json',
        Accept: 'application/json',
        Body: JSON.stringify({
          instances: features.slice(0, 3).map((f) => ({ features: f.split(',').map(Number) })),
        }),
      }),
    );
    const parsed = JSON.parse(new TextDecoder().decode(json.Body)) as { predictions: { score: number }[] };
    for (const [i, p] of parsed.predictions.entries())
      expect(Math.abs(p.score - expected[i]!)).toBeLessThan(1e-6);
  });

  it('answers malformed payloads and unknown endpoints with 4xx, never 500', async () => {
    await expect(
      runtime.send(
        new InvokeEndpointCommand({ EndpointName: 'bc-endpoint', ContentType: 'text/csv', Body: 'a,b,c' }),
      ),
    ).rejects.toMatchObject({
      name: 'ModelError',
      $metadata: { httpStatusCode: 424 },
    });
    await expect(
      runtime.send(
        new InvokeEndpointCommand({ EndpointName: 'bc-endpoint', ContentType: 'image/png', Body: 'x' }),
      ),
    ).rejects.toMatchObject({
      name: 'ModelError',
      OriginalStatusCode: 415,
    });
    await expect(
      runtime.send(
        new InvokeEndpointCommand({ EndpointName: 'no-such-endpoint', ContentType: 'text/csv', Body: '1' }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Endpoint no-such-endpoint of account 000000000000 not found.',
    });
  });

  it('spreads traffic 30/70 over two variants, and TargetVariant pins', async () => {
    await deployEndpoint(c.sm, 'split', [
      { name: 'A', model: 'model-a', weight: 0.3 },
      { name: 'B', model: 'model-b', weight: 0.7 },
    ]);
    const row = firstValidationRow();
    const counts: Record<string, number> = { A: 0, B: 0 };
    const n = 600;
    for (let i = 0; i < n; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, () =>
          runtime.send(
            new InvokeEndpointCommand({ EndpointName: 'split', ContentType: 'text/csv', Body: row }),
          ),
        ),
      );
      for (const r of batch) counts[r.InvokedProductionVariant!]!++;
    }
    // Binomial(600, 0.3): sd ≈ 11.2; ±5 sd.
    expect(Math.abs(counts.A! - 180)).toBeLessThan(56);
    for (let i = 0; i < 20; i++) {
      const r = await runtime.send(
        new InvokeEndpointCommand({
          EndpointName: 'split',
          ContentType: 'text/csv',
          Body: row,
          TargetVariant: 'A',
        }),
      );
      expect(r.InvokedProductionVariant).toBe('A');
    }
    await expect(
      runtime.send(
        new InvokeEndpointCommand({
          EndpointName: 'split',
          ContentType: 'text/csv',
          Body: row,
          TargetVariant: 'C',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('updates to a new model under continuous load with zero failed requests', async () => {
    await deployEndpoint(c.sm, 'rolling', [{ name: 'AllTraffic', model: 'model-a', weight: 1, count: 2 }]);
    const row = firstValidationRow();
    const before = Number(
      new TextDecoder().decode(
        (
          await runtime.send(
            new InvokeEndpointCommand({ EndpointName: 'rolling', ContentType: 'text/csv', Body: row }),
          )
        ).Body,
      ),
    );
    await c.sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'rolling-config-2',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'model-b',
            InitialInstanceCount: 2,
            InstanceType: 'ml.m5.large',
          },
        ],
      }),
    );
    let failures = 0;
    let done = 0;
    let stop = false;
    const seen = new Set<number>();
    const load = Array.from({ length: 4 }, async () => {
      while (!stop) {
        try {
          const r = await runtime.send(
            new InvokeEndpointCommand({ EndpointName: 'rolling', ContentType: 'text/csv', Body: row }),
          );
          seen.add(Number(new TextDecoder().decode(r.Body)));
          done++;
        } catch {
          failures++;
        }
      }
    });
    await new Promise((r) => setTimeout(r, 200));
    await c.sm.send(
      new UpdateEndpointCommand({ EndpointName: 'rolling', EndpointConfigName: 'rolling-config-2' }),
    );
    await waitForEndpoint(c.sm, 'rolling', {
      until: (d) => d.EndpointStatus === 'Updating',
      timeoutMs: 60_000,
    }).catch(() => undefined);
    const final = await waitForEndpoint(c.sm, 'rolling');
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(load);
    expect(failures).toBe(0);
    expect(done).toBeGreaterThan(50);
    expect(final.EndpointConfigName).toBe('rolling-config-2');
    expect(seen.has(before)).toBe(true);
    expect(seen.size).toBe(2);
  });

  it('honours a canary DeploymentConfig: some traffic on the new fleet, then all of it', async () => {
    await deployEndpoint(c.sm, 'canary', [{ name: 'AllTraffic', model: 'model-a', weight: 1, count: 2 }]);
    const row = firstValidationRow();
    const invoke = async () =>
      new TextDecoder().decode(
        (
          await runtime.send(
            new InvokeEndpointCommand({ EndpointName: 'canary', ContentType: 'text/csv', Body: row }),
          )
        ).Body,
      );
    const oldAnswer = await invoke();
    await c.sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'canary-config-2',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'model-b',
            InitialInstanceCount: 2,
            InstanceType: 'ml.m5.large',
          },
        ],
      }),
    );
    const update = (DeploymentConfig: Record<string, unknown>) =>
      c.sm.send(
        new UpdateEndpointCommand({
          EndpointName: 'canary',
          EndpointConfigName: 'canary-config-2',
          // biome-ignore lint/suspicious/noExplicitAny: invalid shapes are the point of two calls
          DeploymentConfig: DeploymentConfig as any,
        }),
      );
    const canary = (Type: string, Value: number) => ({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: 'CANARY',
          WaitIntervalInSeconds: 2,
          CanarySize: { Type, Value },
        },
      },
    });
    await expect(update(canary('CAPACITY_PERCENT', 60))).rejects.toThrow(/CanarySize must be at most 50%/);
    await expect(
      update({ ...canary('INSTANCE_COUNT', 1), AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'a' }] } }),
    ).rejects.toThrow(/AutoRollbackConfiguration.Alarms/);
    expect((await c.sm.send(new DescribeEndpointCommand({ EndpointName: 'canary' }))).EndpointStatus).toBe(
      'InService',
    );

    await update(canary('INSTANCE_COUNT', 1)); // 1 of 2 instances: half the traffic
    // During the canary's wait the endpoint is Updating and both fleets answer.
    const during = new Map<string, number>();
    let status: string | undefined = 'Updating';
    for (let i = 0; i < 400 && status === 'Updating'; i++) {
      const answer = await invoke();
      during.set(answer, (during.get(answer) ?? 0) + 1);
      if (i % 20 === 0) {
        status = (await c.sm.send(new DescribeEndpointCommand({ EndpointName: 'canary' }))).EndpointStatus;
      }
      if (during.size === 2 && i > 60) break;
    }
    expect(during.size).toBe(2);
    expect(during.get(oldAnswer)).toBeGreaterThan(0);
    const final = await waitForEndpoint(c.sm, 'canary', { timeoutMs: 30_000 });
    expect(final.EndpointConfigName).toBe('canary-config-2');
    expect((final as { LastDeploymentConfig?: unknown }).LastDeploymentConfig).toMatchObject(
      canary('INSTANCE_COUNT', 1),
    );
    const after = new Set<string>();
    for (let i = 0; i < 20; i++) after.add(await invoke());
    expect([...after]).toHaveLength(1);
    expect(after.has(oldAnswer)).toBe(false);
  });

  it('deletes an endpoint in the middle of a long canary at once', async () => {
    await deployEndpoint(c.sm, 'canary-deleted', [{ name: 'AllTraffic', model: 'model-a', weight: 1 }]);
    await c.sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'canary-deleted-2',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'model-b',
            InitialInstanceCount: 2,
            InstanceType: 'ml.m5.large',
          },
        ],
      }),
    );
    await c.sm.send(
      new UpdateEndpointCommand({
        EndpointName: 'canary-deleted',
        EndpointConfigName: 'canary-deleted-2',
        DeploymentConfig: {
          BlueGreenUpdatePolicy: {
            TrafficRoutingConfiguration: {
              Type: 'CANARY',
              WaitIntervalInSeconds: 3600,
              CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 },
            },
          },
        },
      }),
    );
    await new Promise((r) => setTimeout(r, 500)); // the new fleet is up and the canary waits
    await c.sm.send(new DeleteEndpointCommand({ EndpointName: 'canary-deleted' }));
    const deadline = Date.now() + 15_000;
    for (;;) {
      const gone = await c.sm
        .send(new DescribeEndpointCommand({ EndpointName: 'canary-deleted' }))
        .then(() => false)
        .catch((e: Error) => /Could not find endpoint/.test(e.message));
      if (gone) break;
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});

describe('Python script-mode endpoints', () => {
  it('serves a scikit-learn model through inference.py and replaces a crashed instance', async () => {
    await createSklearnModel(c, bucket, 'sk-model');
    await deployEndpoint(c.sm, 'sk-endpoint', [{ model: 'sk-model' }]);
    const invoke = () =>
      runtime.send(
        new InvokeEndpointCommand({
          EndpointName: 'sk-endpoint',
          ContentType: 'text/csv',
          Body: '5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3',
        }),
      );
    const out = JSON.parse(new TextDecoder().decode((await invoke()).Body)) as {
      labels: number[];
      probabilities: number[][];
    };
    expect(out.labels).toEqual([0, 2]);
    expect(out.probabilities[0]).toHaveLength(3);

    // Kill the model server process: the fleet notices and starts a replacement.
    execFileSync('pkill', ['-9', '-f', `lathe_serve.py`]);
    const deadline = Date.now() + 30_000;
    let recovered = false;
    while (!recovered && Date.now() < deadline) {
      try {
        recovered = JSON.parse(new TextDecoder().decode((await invoke()).Body)).labels[0] === 0;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(recovered).toBe(true);
    const d = await c.sm.send(new DescribeEndpointCommand({ EndpointName: 'sk-endpoint' }));
    expect(d.ProductionVariants?.[0]?.CurrentInstanceCount).toBe(1);

    await expect(
      runtime.send(
        new InvokeEndpointCommand({ EndpointName: 'sk-endpoint', ContentType: 'image/png', Body: 'x' }),
      ),
    ).rejects.toMatchObject({ name: 'ModelError', OriginalStatusCode: 500 });
  });
});
