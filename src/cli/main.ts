#!/usr/bin/env node
import { Command, Option } from 'commander';
import { loadClientConfig } from '../config/config.js';
import { connect } from '../sdk/clients.js';
import { quietNodeVersionWarning } from '../sdk/quiet-node-version-warning.js';
import { deployCommand } from './deploy.js';
import { deleteEndpoint, describeEndpoint, listEndpoints } from './endpoints.js';
import { invokeCommand } from './invoke.js';
import { describeJob, listJobs, showLogs, stopJob } from './jobs.js';
import { serveCommand } from './serve.js';
import { trainCommand } from './train.js';

// `lathe logs job | head` closes stdout early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

quietNodeVersionWarning();

const program = new Command('lathe').description(
  'Lathe: SageMaker-compatible ML platform on your own machine',
);

function clientsFrom(cmd: Command) {
  const o = cmd.optsWithGlobals<{ endpointUrl?: string; dataDir?: string; region?: string }>();
  const c = loadClientConfig({ endpoint: o.endpointUrl, dataDir: o.dataDir, region: o.region });
  return connect(c);
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Runs a client command with connected clients, and closes them after. */
async function withClients(cmd: Command, run: (clients: ReturnType<typeof connect>) => Promise<void>) {
  const clients = clientsFrom(cmd);
  try {
    await run(clients);
  } finally {
    clients.destroy();
  }
}

program
  .option('--endpoint-url <url>', 'Lathe server URL (default LATHE_ENDPOINT_URL or http://127.0.0.1:7070)')
  .option('--data-dir <dir>', "the server's data directory, for its credentials file (default ./.lathe)")
  .option('--region <region>', 'AWS region name (default us-east-1)');

program
  .command('serve')
  .description('start the Lathe server')
  .option('--host <host>', 'address to bind (default 127.0.0.1, LATHE_HOST)')
  .option('--port <port>', 'port (default 7070, LATHE_PORT)')
  .action(async (opts: { host?: string; port?: string }, cmd: Command) => {
    const g = cmd.optsWithGlobals<{ dataDir?: string; region?: string }>();
    await serveCommand({ host: opts.host, port: opts.port, dataDir: g.dataDir, region: g.region });
  });

program
  .command('train')
  .description('upload data, run a training job, follow its logs and print its metrics')
  .requiredOption('--train <path|s3-uri>', 'training data: a file, a directory or an s3:// URI')
  .option('--validation <path|s3-uri>', 'validation data')
  .option('--algorithm <name>', 'xgboost (default), sklearn or node')
  .option('--image <uri>', 'a SageMaker training image URI instead of --algorithm')
  .option('--content-type <type>', 'channel content type (default from the file name: .csv → text/csv)')
  .option('--hp <name=value>', 'a hyperparameter (repeatable)', collect, [])
  .option('--entry-point <file>', 'script mode: the training script, relative to --source-dir')
  .option('--source-dir <dir>', 'script mode: the directory uploaded as the source code')
  .option('--output <s3-uri>', 'S3OutputPath (default s3://sagemaker-<region>-<account>/output)')
  .option('--name <name>', 'training job name (default generated)')
  .addOption(new Option('--max-runtime <seconds>', 'MaxRuntimeInSeconds').default(86400).argParser(Number))
  .option('--no-wait', 'return once the job is created')
  .action(async (opts, cmd: Command) => {
    const clients = clientsFrom(cmd);
    try {
      process.exitCode = await trainCommand(clients, opts);
    } finally {
      clients.destroy();
    }
  });

program
  .command('logs <job>')
  .description("print a training job's logs")
  .option('-f, --follow', 'keep printing until the job ends')
  .action(async (job: string, opts: { follow?: boolean }, cmd: Command) => {
    const clients = clientsFrom(cmd);
    try {
      await showLogs(clients, job, Boolean(opts.follow));
    } finally {
      clients.destroy();
    }
  });

const jobs = program.command('jobs').description('list, describe and stop training jobs');
jobs
  .command('list', { isDefault: true })
  .option('--status <status>', 'only jobs in this status')
  .addOption(new Option('--limit <n>', 'how many').default(50).argParser(Number))
  .action(async (opts: { status?: string; limit: number }, cmd: Command) => {
    const clients = clientsFrom(cmd);
    try {
      await listJobs(clients, opts);
    } finally {
      clients.destroy();
    }
  });
jobs.command('describe <job>').action(async (job: string, _o: unknown, cmd: Command) => {
  const clients = clientsFrom(cmd);
  try {
    await describeJob(clients, job);
  } finally {
    clients.destroy();
  }
});
jobs.command('stop <job>').action(async (job: string, _o: unknown, cmd: Command) => {
  const clients = clientsFrom(cmd);
  try {
    await stopJob(clients, job);
  } finally {
    clients.destroy();
  }
});

program
  .command('deploy <source>')
  .description("serve a training job's model (or an s3:// model.tar.gz) on an endpoint")
  .option('--name <name>', 'endpoint name (default: the training job name, or the model name)')
  .addOption(new Option('--instances <n>', 'instance count').default(1).argParser(Number))
  .option('--instance-type <type>', 'instance type', 'ml.m5.large')
  .option('--serverless', 'a serverless variant instead of instances')
  .addOption(new Option('--memory <mb>', 'serverless memory size').default(2048).argParser(Number))
  .addOption(new Option('--max-concurrency <n>', 'serverless concurrency').default(5).argParser(Number))
  .option('--image <uri>', "serving image (default: the job's image, or built-in XGBoost for s3://)")
  .option('--env <KEY=VALUE>', 'a container environment variable (repeatable)', collect, [])
  .option('--no-wait', 'return once the endpoint is Creating')
  .action((source: string, opts, cmd: Command) => withClients(cmd, (c) => deployCommand(c, source, opts)));

program
  .command('invoke <endpoint>')
  .description('send one request to an endpoint and print the response body')
  .requiredOption('--body <text|@file>', 'the request body, or @path to read it from a file')
  .option('--content-type <type>', 'request content type', 'text/csv')
  .option('--accept <type>', 'response content type to ask for')
  .option('--variant <name>', 'production variant to invoke (TargetVariant)')
  .option(
    '--stream',
    'print the answer part by part as the model streams it (InvokeEndpointWithResponseStream)',
  )
  .option(
    '--target-model <path>',
    'multi-model endpoints: the model to run, under the model prefix (TargetModel)',
  )
  .action((endpoint: string, opts, cmd: Command) =>
    withClients(cmd, (c) => invokeCommand(c, endpoint, opts)),
  );

const endpoints = program.command('endpoints').description('list, describe and delete endpoints');
endpoints
  .command('list', { isDefault: true })
  .addOption(new Option('--limit <n>', 'how many').default(50).argParser(Number))
  .action((opts: { limit: number }, cmd: Command) => withClients(cmd, (c) => listEndpoints(c, opts)));
endpoints
  .command('describe <name>')
  .action((name: string, _o: unknown, cmd: Command) => withClients(cmd, (c) => describeEndpoint(c, name)));
endpoints
  .command('delete <name>')
  .description('delete an endpoint, its endpoint configuration and its models')
  .option('--keep-config', 'keep the endpoint configuration')
  .option('--keep-model', 'keep the models')
  .action((name: string, opts: { keepConfig?: boolean; keepModel?: boolean }, cmd: Command) =>
    withClients(cmd, (c) => deleteEndpoint(c, name, opts)),
  );

program.parseAsync().catch((e: unknown) => {
  const err = e as { name?: string; message?: string };
  process.stderr.write(
    `lathe: ${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message ?? String(e)}\n`,
  );
  process.exit(1);
});
