import { CreateTrainingJobCommand, ListTrainingJobsCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { clients, uploadDataset, waitForJob, xgboostJob } from '../helpers/training.js';

// `lathe serve` with its metadata in PostgreSQL (LATHE_METADATA_URL) instead of SQLite.
let pg: TestPostgres;
const servers: TestServer[] = [];

beforeAll(() => {
  pg = startPostgres();
  pg.sql('CREATE DATABASE lathe');
});
afterAll(async () => {
  for (const s of servers) await s.stop();
  pg?.stop();
});

describe('Lathe on PostgreSQL', () => {
  it('trains a model, and the job survives a kill -9 of the server', async () => {
    const env = { LATHE_METADATA_URL: pg.url('lathe') };
    const first = await startServer({ env });
    servers.push(first);
    const c = clients(first);
    await uploadDataset(c.s3, 'pg-data', 'breast-cancer');
    await c.sm.send(
      new CreateTrainingJobCommand(
        xgboostJob('pg-job', 'pg-data', 'breast-cancer', {
          num_round: '10',
          objective: 'binary:logistic',
          eval_metric: 'auc',
        }),
      ),
    );
    const job = await waitForJob(c.sm, 'pg-job');
    expect(job.TrainingJobStatus, job.FailureReason).toBe('Completed');
    expect(job.FinalMetricDataList?.map((m) => m.MetricName)).toContain('validation:auc');
    await first.kill9();

    const second = await startServer({ env, dataDir: first.dataDir });
    servers.push(second);
    const listed = await clients(second).sm.send(new ListTrainingJobsCommand({}));
    expect(listed.TrainingJobSummaries?.map((j) => [j.TrainingJobName, j.TrainingJobStatus])).toEqual([
      ['pg-job', 'Completed'],
    ]);
  });
});
