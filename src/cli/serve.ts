import { type ConfigInput, loadConfig } from '../config/config.js';
import { startLathe } from '../platform.js';

/** `lathe serve`: starts the server and stops it cleanly on SIGTERM/SIGINT. */
export async function serveCommand(flags: Partial<ConfigInput>): Promise<void> {
  const config = loadConfig(flags);
  const lathe = await startLathe(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`Received ${signal}; shutting down\n`);
    lathe.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Printed last: whoever waits for this line may signal the process right away.
  process.stdout.write(
    `Lathe is listening on ${lathe.url}\n` +
      (lathe.credentialsFile
        ? `Credentials (profile "lathe", access key ${lathe.accessKeyId}): ${lathe.credentialsFile}\n` +
          `  export AWS_SHARED_CREDENTIALS_FILE=${lathe.credentialsFile} AWS_PROFILE=lathe AWS_DEFAULT_REGION=${config.region}\n`
        : `Credentials: access key ${lathe.accessKeyId} from LATHE_ROOT_ACCESS_KEY_ID / LATHE_ROOT_SECRET_ACCESS_KEY\n`) +
      `  aws sagemaker list-training-jobs --endpoint-url ${lathe.url}\n`,
  );
}
