import type { TrainingJobStatus } from '../domain/training-job.js';
import type { TrainingJobStore } from '../ports/metadata-store.js';
import type { MetricFamily } from './prometheus-text.js';

/** Only the statuses of running jobs: counting finished jobs would read every job ever run. */
const counted: readonly TrainingJobStatus[] = ['InProgress', 'Stopping'];

/** `lathe_training_jobs{status}`: training jobs in progress or stopping. */
export function trainingJobGauge(jobs: Pick<TrainingJobStore, 'list'>): () => Promise<MetricFamily[]> {
  return async () => {
    const running = await jobs.list({ statusIn: counted });
    return [
      {
        name: 'lathe_training_jobs',
        help: 'Training jobs by status (only InProgress and Stopping are counted).',
        type: 'gauge',
        samples: counted.map((status) => ({
          labels: { status },
          value: running.filter((j) => j.status === status).length,
        })),
      },
    ];
  };
}
