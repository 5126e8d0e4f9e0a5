import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import {
  InvokeEndpointCommand,
  InvokeEndpointWithResponseStreamCommand,
  SageMakerRuntimeClient,
} from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Predictor, Session } from '../../src/sdk/index.js';
import { createXgboostModel, deployEndpoint, trainXgboost } from '../helpers/endpoints.js';
import { createNodeModel } from '../helpers/node-model.js';
import { createScriptModel } from '../helpers/script-model.js';
import { clientConfig, cliPath, startServer, type TestServer } from '../helpers/server.js';
import { sklearnImage } from '../helpers/sklearn-model.js';
import { clients, datasetsDir, uploadDataset } from '../helpers/training.js';

const bucket = 'streams';
let server: TestServer;
let c: ReturnType<typeof clients>;
let runtime: SageMakerRuntimeClient;

// A Python model that answers part by part: "tokens" 0..4, 250 ms apart; "fail" fails before
// answering, "break" fails after its first part.
const inferencePy = `import time

def model_fn(model_dir):
    return {}

def transform_fn(model, body, content_type, accept):
    text = body.decode()
    if text == "fail":
        raise ValueError("no tokens for you")
    def tokens():
        for i in range(5):
            if text == "break" and i == 1:
                raise RuntimeError("the generator broke")
            yield f"token-{i} "
            time.sleep(0.25)
    return tokens(), "text/plain"
`;

beforeAll(async () => {
  server = await startServer();
  c = clients(server);
  runtime = new SageMakerRuntimeClient(clientConfig(server));
  await c.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await createScriptModel(c, bucket, 'tokens', {
    image: sklearnImage,
    program: 'inference.py',
    files: { 'code/inference.py': inferencePy },
  });
  await deployEndpoint(c.sm, 'tokens', [{ model: 'tokens' }]);
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

async function streamed(EndpointName: string, Body: string, ContentType = 'text/plain') {
  const response = await runtime.send(
    new InvokeEndpointWithResponseStreamCommand({ EndpointName, Body, ContentType }),
  );
  const parts: { text: string; at: number }[] = [];
  for await (const event of response.Body!) {
    if (event.PayloadPart?.Bytes) {
      parts.push({ text: new TextDecoder().decode(event.PayloadPart.Bytes), at: performance.now() });
    }
  }
  return { response, parts };
}

describe('InvokeEndpointWithResponseStream', () => {
  it('hands over each part a model server streams as it comes', async () => {
    const { response, parts } = await streamed('tokens', 'go');
    expect(response.ContentType).toBe('text/plain');
    expect(response.InvokedProductionVariant).toBe('AllTraffic');
    expect(parts.map((p) => p.text).join('')).toBe('token-0 token-1 token-2 token-3 token-4 ');
    expect(parts.length).toBeGreaterThanOrEqual(3);
    // The first part arrived while the model was still producing the rest.
    expect(parts.at(-1)!.at - parts[0]!.at).toBeGreaterThan(600);
    // The TypeScript SDK's Predictor.predictStream (the Python SDK's predict_stream).
    const session = new Session({
      endpoint: server.url,
      region: server.region,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
    const sdkParts: string[] = [];
    for await (const part of new Predictor('tokens', session).predictStream('go', {
      contentType: 'text/plain',
    })) {
      sdkParts.push(new TextDecoder().decode(part));
    }
    expect(sdkParts.join('')).toBe('token-0 token-1 token-2 token-3 token-4 ');
    // And `lathe invoke --stream`.
    const cli = await promisify(execFile)(
      process.execPath,
      [
        cliPath,
        '--endpoint-url',
        server.url,
        '--data-dir',
        server.dataDir,
        'invoke',
        'tokens',
        '--stream',
      ].concat(['--content-type', 'text/plain', '--body', 'go']),
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' },
        timeout: 60_000,
      },
    );
    expect(cli.stdout).toBe('token-0 token-1 token-2 token-3 token-4 \n');
    // InvokeEndpoint on the same model gets the whole answer at once.
    const whole = await runtime.send(
      new InvokeEndpointCommand({ EndpointName: 'tokens', Body: 'go', ContentType: 'text/plain' }),
    );
    expect(new TextDecoder().decode(whole.Body)).toBe('token-0 token-1 token-2 token-3 token-4 ');
  });

  it('answers ModelError when the model fails first, ModelStreamError when it fails midway', async () => {
    await expect(streamed('tokens', 'fail')).rejects.toMatchObject({
      name: 'ModelError',
      OriginalStatusCode: 500,
    });
    const broken = streamed('tokens', 'break');
    await expect(broken).rejects.toMatchObject({ name: 'ModelStreamError' });
  });

  it('sends a model that does not stream (built-in XGBoost) as one part', async () => {
    await uploadDataset(c.s3, bucket, 'breast-cancer');
    const job = await trainXgboost(c.sm, 'stream-xgb', bucket, 'breast-cancer', {
      num_round: '10',
      objective: 'binary:logistic',
    });
    await createXgboostModel(c.sm, 'stream-xgb', job.ModelArtifacts!.S3ModelArtifacts!);
    await deployEndpoint(c.sm, 'stream-xgb', [{ model: 'stream-xgb' }]);
    const rows = readFileSync(join(datasetsDir, 'breast-cancer', 'validation.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(0, 3)
      .map((r) => r.slice(r.indexOf(',') + 1))
      .join('\n');
    const { parts } = await streamed('stream-xgb', rows, 'text/csv');
    const whole = await runtime.send(
      new InvokeEndpointCommand({ EndpointName: 'stream-xgb', Body: rows, ContentType: 'text/csv' }),
    );
    expect(parts).toHaveLength(1);
    expect(parts[0]!.text).toBe(new TextDecoder().decode(whole.Body));
  });

  it('streams the parts of a TypeScript/JavaScript model’s async generator', async () => {
    await createNodeModel(
      c,
      bucket,
      'node-tokens',
      `async function* tokens(n) {
  for (let i = 0; i < n; i++) {
    yield 'part-' + i + ' ';
    await new Promise((r) => setTimeout(r, 200));
  }
}
export const modelFn = () => ({});
export const transformFn = (model, body) => [tokens(Number(body.toString())), 'text/plain'];
`,
    );
    await deployEndpoint(c.sm, 'node-tokens', [{ model: 'node-tokens' }]);
    const { parts } = await streamed('node-tokens', '4');
    expect(parts.map((p) => p.text).join('')).toBe('part-0 part-1 part-2 part-3 ');
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(parts.at(-1)!.at - parts[0]!.at).toBeGreaterThan(400);
  });
});
