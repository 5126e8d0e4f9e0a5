import { DescribeTrainingJobCommand, type DescribeTrainingJobCommandOutput } from '@aws-sdk/client-sagemaker';
import { UnexpectedStatusError } from './errors.js';
import type { Session } from './session.js';
import { watchTrainingJob } from './training.js';

/** Where `fit`/`wait` send a job's log lines: `true` prints them to stdout. */
export type LogsOption = boolean | ((line: string) => void);

/** A training job an estimator started or attached to (`estimator.latest_training_job`). */
export class TrainingJob {
  /** The last description seen (after `wait` or `describe`). */
  description?: DescribeTrainingJobCommandOutput;

  constructor(
    readonly name: string,
    readonly session: Session,
  ) {}

  /** DescribeTrainingJob. */
  async describe(): Promise<DescribeTrainingJobCommandOutput> {
    this.description = await this.session.clients.sagemaker.send(
      new DescribeTrainingJobCommand({ TrainingJobName: this.name }),
    );
    return this.description;
  }

  /**
   * Waits for the job to end, streaming its CloudWatch logs like the Python SDK's `logs=True`
   * (status changes and every log line). Throws {@link UnexpectedStatusError} unless it
   * `Completed`.
   */
  async wait(options: { logs?: LogsOption } = {}): Promise<DescribeTrainingJobCommandOutput> {
    const logs = options.logs ?? true;
    const print = typeof logs === 'function' ? logs : (line: string) => process.stdout.write(`${line}\n`);
    const started = Date.now();
    const job = await watchTrainingJob(
      this.session.clients,
      this.name,
      logs === false
        ? {}
        : {
            onStatus: (j) =>
              print(
                `${new Date().toISOString()} ${j.TrainingJobStatus} - ${j.SecondaryStatus} (${((Date.now() - started) / 1000).toFixed(1)}s)`,
              ),
            onLog: (m) => print(m.replace(/#011/g, '\t')),
          },
    );
    this.description = job;
    if (job.TrainingJobStatus !== 'Completed') {
      throw new UnexpectedStatusError(
        `Error for Training job ${this.name}: ${job.TrainingJobStatus}. Reason: ${job.FailureReason ?? '(none)'}`,
        job.TrainingJobStatus ?? '',
        ['Completed'],
      );
    }
    if (logs !== false) {
      const seconds = job.TrainingTimeInSeconds ?? job.BillableTimeInSeconds;
      if (seconds !== undefined) print(`Training seconds: ${seconds}`);
    }
    return job;
  }
}
