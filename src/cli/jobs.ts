import {
  DescribeTrainingJobCommand,
  ListTrainingJobsCommand,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import type { LatheClients } from '../sdk/clients.js';
import { drainLogs, isTerminal } from '../sdk/training.js';

const when = (d: Date | undefined) => (d ? d.toISOString().replace('T', ' ').slice(0, 19) : '-');

/** `lathe jobs list`: a table of training jobs, newest first. */
export async function listJobs(
  clients: LatheClients,
  options: { status?: string; limit: number },
): Promise<void> {
  const out = await clients.sagemaker.send(
    new ListTrainingJobsCommand({
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: options.limit,
      StatusEquals: options.status as never,
    }),
  );
  const rows = (out.TrainingJobSummaries ?? []).map((j) => [
    j.TrainingJobName ?? '',
    j.TrainingJobStatus ?? '',
    j.SecondaryStatus ?? '',
    when(j.CreationTime),
  ]);
  const header = ['NAME', 'STATUS', 'SECONDARY', 'CREATED'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) {
    process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
  }
}

export async function describeJob(clients: LatheClients, name: string): Promise<void> {
  const out = await clients.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
  const { $metadata: _, ...job } = out;
  process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
}

export async function stopJob(clients: LatheClients, name: string): Promise<void> {
  await clients.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: name }));
  process.stdout.write(`Stopping ${name}\n`);
}

/** `lathe logs <job> [--follow]`. */
export async function showLogs(clients: LatheClients, name: string, follow: boolean): Promise<void> {
  const tokens = new Map<string, string | undefined>();
  const print = (m: string) => process.stdout.write(`${m.replace(/#011/g, '\t')}\n`);
  for (;;) {
    await drainLogs(clients, name, tokens, print);
    if (!follow) return;
    const job = await clients.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    if (isTerminal(job.TrainingJobStatus)) {
      await drainLogs(clients, name, tokens, print);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
