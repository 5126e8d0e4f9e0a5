// Serving benchmarks, each against a peer in the same run (figures → test/bench/results/serving.json):
//   B1  one-row CSV requests to a 100-tree XGBoost model: Lathe vs SageMaker's XGBoost serving
//       stack replicated (gunicorn + gevent workers, one per core, + Flask + xgboost 1.7);
//   B2  Lathe's invocation path with a no-op (echo) model vs a bare node:http server;
//   B4  CreateEndpoint → first successful invoke, and a serverless cold start.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTrainingJobCommand,
  DescribeEndpointCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { luaScript, root, signedWrkScript, startLathe, waitFor, wrk } from './lib.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const lathe = await startLathe({ LATHE_SERVERLESS_IDLE_SECONDS: '600' });
const sm = new SageMakerClient(lathe.config);
const s3 = new S3Client({ ...lathe.config, forcePathStyle: true });
const rt = new SageMakerRuntimeClient({ ...lathe.config, maxAttempts: 1 });
const results = {
  date: new Date().toISOString(),
  wrk: `wrk -t1 -c32 -d${SECONDS}s`,
  cores: (await import('node:os')).cpus().length,
  // Lathe's default LATHE_HTTP_THREADS (docs/decisions/0008-http-front-threads.md).
  httpThreads: Math.min(4, (await import('node:os')).availableParallelism()),
};

// A 100-tree, depth-6 model on real data.
const train = readFileSync(join(root, 'test/fixtures/datasets/breast-cancer/train.csv'), 'utf8');
const validation = readFileSync(join(root, 'test/fixtures/datasets/breast-cancer/validation.csv'), 'utf8');
const row = validation.split('\n')[0].split(',').slice(1).join(',');
await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'bc/train/train.csv', Body: train }));
await sm.send(
  new CreateTrainingJobCommand({
    TrainingJobName: 'bench-model',
    AlgorithmSpecification: { TrainingImage: 'sagemaker-xgboost:1.7-1', TrainingInputMode: 'File' },
    RoleArn: 'arn:aws:iam::000000000000:role/bench',
    HyperParameters: { num_round: '100', max_depth: '6', objective: 'binary:logistic' },
    InputDataConfig: [
      {
        ChannelName: 'train',
        ContentType: 'text/csv',
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bench/bc/train/' } },
      },
    ],
    OutputDataConfig: { S3OutputPath: 's3://bench/out' },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 1 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 },
  }),
);
let job;
await waitFor(async () => {
  job = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'bench-model' }));
  return job.TrainingJobStatus !== 'InProgress';
});
const modelData = job.ModelArtifacts.S3ModelArtifacts;

async function deploy(name, image, { count = 1, serverless, url = modelData, on = { sm, rt } } = {}) {
  await on.sm.send(
    new CreateModelCommand({
      ModelName: name,
      PrimaryContainer: { Image: image, ...(url ? { ModelDataUrl: url } : {}) },
    }),
  );
  await on.sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [
        serverless
          ? {
              VariantName: 'AllTraffic',
              ModelName: name,
              ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 20 },
            }
          : {
              VariantName: 'AllTraffic',
              ModelName: name,
              InitialInstanceCount: count,
              InstanceType: 'ml.m5.large',
            },
      ],
    }),
  );
  const t0 = performance.now();
  await on.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
  let firstOk;
  await waitFor(async () => {
    try {
      await on.rt.send(new InvokeEndpointCommand({ EndpointName: name, ContentType: 'text/csv', Body: row }));
      firstOk = performance.now() - t0;
      return true;
    } catch {
      return false;
    }
  });
  return firstOk;
}

// B4 first: endpoint creation to first answer, and a serverless cold start.
const createToInvokeMs = await deploy('xgb-1', 'sagemaker-xgboost:1.7-1');
await deploy('xgb-sls', 'sagemaker-xgboost:1.7-1', { serverless: true }).catch(() => undefined);
await waitFor(
  async () =>
    (await sm.send(new DescribeEndpointCommand({ EndpointName: 'xgb-sls' }))).EndpointStatus === 'InService',
);
// The deploy above already woke it; a fresh serverless endpoint measures a true cold start.
await sm.send(
  new CreateModelCommand({
    ModelName: 'xgb-sls2',
    PrimaryContainer: { Image: 'sagemaker-xgboost:1.7-1', ModelDataUrl: modelData },
  }),
);
await sm.send(
  new CreateEndpointConfigCommand({
    EndpointConfigName: 'xgb-sls2',
    ProductionVariants: [
      {
        VariantName: 'AllTraffic',
        ModelName: 'xgb-sls2',
        ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 20 },
      },
    ],
  }),
);
await sm.send(new CreateEndpointCommand({ EndpointName: 'xgb-sls2', EndpointConfigName: 'xgb-sls2' }));
await waitFor(
  async () =>
    (await sm.send(new DescribeEndpointCommand({ EndpointName: 'xgb-sls2' }))).EndpointStatus === 'InService',
);
const c0 = performance.now();
await rt.send(new InvokeEndpointCommand({ EndpointName: 'xgb-sls2', ContentType: 'text/csv', Body: row }));
const coldStartMs = performance.now() - c0;
const w0 = performance.now();
await rt.send(new InvokeEndpointCommand({ EndpointName: 'xgb-sls2', ContentType: 'text/csv', Body: row }));
results.B4 = {
  createEndpointToFirstInvokeMs: createToInvokeMs,
  serverlessColdStartMs: coldStartMs,
  serverlessWarmMs: performance.now() - w0,
  goalMs: 1000,
};

// B1: Lathe (1 and 2 instances) vs the gunicorn replica, same model file, same wrk.
await deploy('xgb-2', 'sagemaker-xgboost:1.7-1', { count: 2 });
const lathe1 = await wrk(
  lathe.url,
  await signedWrkScript(lathe, '/endpoints/xgb-1/invocations', row, 'text/csv'),
  { seconds: SECONDS },
);
const lathe2 = await wrk(
  lathe.url,
  await signedWrkScript(lathe, '/endpoints/xgb-2/invocations', row, 'text/csv'),
  { seconds: SECONDS },
);

const modelDir = mkdtempSync(join(tmpdir(), 'bench-model-'));
const obj = await s3.send(
  new GetObjectCommand({ Bucket: 'bench', Key: modelData.replace('s3://bench/', '') }),
);
writeFileSync(join(modelDir, 'model.tar.gz'), Buffer.from(await obj.Body.transformToByteArray()));
await new Promise((r) => spawn('tar', ['-xzf', 'model.tar.gz'], { cwd: modelDir }).on('exit', r));
const peerPort = 18000 + Math.floor(Math.random() * 1000);
const peer = spawn(
  'gunicorn',
  [
    '-c',
    'gunicorn_nodelay.py',
    '-k',
    'gevent',
    '-w',
    String(results.cores),
    '-b',
    `127.0.0.1:${peerPort}`,
    '--keep-alive',
    '60',
    'xgb_replica:app',
  ],
  {
    cwd: join(root, 'test/bench/peers'),
    env: { ...process.env, OMP_NUM_THREADS: '1', MODEL_FILE: join(modelDir, 'xgboost-model') },
    stdio: 'ignore',
  },
);
await waitFor(
  async () => (await fetch(`http://127.0.0.1:${peerPort}/ping`).catch(() => ({ ok: false }))).ok,
  30_000,
);
const peerCheck = await (
  await fetch(`http://127.0.0.1:${peerPort}/invocations`, {
    method: 'POST',
    body: row,
    headers: { 'content-type': 'text/csv' },
  })
).text();
const ours = new TextDecoder().decode(
  (await rt.send(new InvokeEndpointCommand({ EndpointName: 'xgb-1', ContentType: 'text/csv', Body: row })))
    .Body,
);
const gunicorn = await wrk(
  `http://127.0.0.1:${peerPort}/invocations`,
  luaScript(row, { 'Content-Type': 'text/csv' }),
  { seconds: SECONDS },
);
peer.kill('SIGTERM');
const best = lathe2.rps > lathe1.rps ? lathe2 : lathe1;
results.B1 = {
  samePrediction: Math.abs(Number(peerCheck) - Number(ours)) < 1e-6,
  lathe1Instance: lathe1,
  lathe2Instances: lathe2,
  gunicornReplica: gunicorn,
  rpsRatio: best.rps / gunicorn.rps,
  p99Ratio: best.p99ms / gunicorn.p99ms,
  goals: 'rps ratio >= 5, p99 ratio <= 0.3',
};

// B2: the invocation path with an echo model vs a bare node:http server (the echo model has no
// model data: `url: null`, as undefined would take the default).
await deploy('echo', 'lathe/lathe-echo-inference:latest', { url: null });
const echo = await wrk(
  lathe.url,
  await signedWrkScript(lathe, '/endpoints/echo/invocations', row, 'text/csv'),
  { seconds: SECONDS },
);
const barePort = peerPort + 1;
const bare = spawn(
  process.execPath,
  [
    '-e',
    `require('http').createServer((q,s)=>{const c=[];q.on('data',d=>c.push(d));q.on('end',()=>{const b=Buffer.concat(c);s.writeHead(200,{'content-type':'text/csv','content-length':b.length});s.end(b)})}).listen(${barePort},'127.0.0.1')`,
  ],
  { stdio: 'ignore' },
);
await waitFor(
  async () =>
    (await fetch(`http://127.0.0.1:${barePort}/`, { method: 'POST', body: 'x' }).catch(() => ({ ok: false })))
      .ok,
);
const bareRun = await wrk(`http://127.0.0.1:${barePort}/`, luaScript(row, { 'Content-Type': 'text/csv' }), {
  seconds: SECONDS,
});
bare.kill();
// The same bare server verifying each request's SigV4 signature with Lathe's own verifier: what
// Lathe's path costs beyond the authentication every AWS-compatible server must do.
const signedPort = barePort + 1;
const signedBare = spawn(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `import http from 'node:http';
import { verifySigV4, sha256Hex } from ${JSON.stringify(join(root, 'dist/security/sigv4.js'))};
const key = ${JSON.stringify(lathe.credentials.accessKeyId)}, secret = ${JSON.stringify(lathe.credentials.secretAccessKey)};
http.createServer((q, s) => { const c = []; q.on('data', (d) => c.push(d)); q.on('end', () => {
  const b = Buffer.concat(c);
  try { verifySigV4(q, { dialect: 'json', lookupSecret: (k) => (k === key ? secret : undefined), maxSkewSeconds: 900, bodySha256: sha256Hex(b) }); }
  catch { s.writeHead(403); s.end(); return; }
  s.writeHead(200, { 'content-type': 'text/csv', 'content-length': b.length }); s.end(b); }); }).listen(${signedPort}, '127.0.0.1');`,
  ],
  { stdio: 'ignore' },
);
await waitFor(
  async () =>
    (
      await fetch(`http://127.0.0.1:${signedPort}/`, { method: 'POST', body: 'x' }).catch(() => ({
        status: 0,
      }))
    ).status === 403,
);
const signedRun = await wrk(
  `http://127.0.0.1:${signedPort}`,
  await signedWrkScript(
    { ...lathe, url: `http://127.0.0.1:${signedPort}` },
    '/endpoints/echo/invocations',
    row,
    'text/csv',
  ),
  { seconds: SECONDS },
);
signedBare.kill();
// The same echo endpoint on a server whose main thread alone accepts (LATHE_HTTP_THREADS=1).
const single = await startLathe({ LATHE_HTTP_THREADS: '1' });
await deploy('echo', 'lathe/lathe-echo-inference:latest', {
  url: null,
  on: {
    sm: new SageMakerClient(single.config),
    rt: new SageMakerRuntimeClient({ ...single.config, maxAttempts: 1 }),
  },
});
const echoOneThread = await wrk(
  single.url,
  await signedWrkScript(single, '/endpoints/echo/invocations', row, 'text/csv'),
  { seconds: SECONDS },
);
single.stop();
results.B2 = {
  latheEcho: echo,
  bareNodeHttp: bareRun,
  rpsRatio: echo.rps / bareRun.rps,
  goal: '>= 0.8',
  latheEchoMainThreadOnly: echoOneThread,
  rpsRatioMainThreadOnly: echoOneThread.rps / bareRun.rps,
  bareNodeHttpVerifyingSigV4: signedRun,
  rpsRatioVsVerifyingPeer: echo.rps / signedRun.rps,
};

mkdirSync(join(root, 'test/bench/results'), { recursive: true });
writeFileSync(join(root, 'test/bench/results/serving.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
lathe.stop();
process.exit(0);
