import { metricDefinitionProblem } from '../../domain/metric-regex.js';
import type { TrainingJobRecord } from '../../domain/training-job.js';
import { validationError } from '../../errors/aws-error.js';
import type { TrainingJobService } from '../../services/training-jobs.js';
import { metricDefinitionsFor, runtimeOf } from '../../services/training-jobs.js';
import { type OperationTable, operation } from '../operation.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import {
  createTrainingJobInput,
  listTrainingJobsInput,
  trainingJobNameInput,
} from './training-job-schemas.js';

/** AWS sends timestamps as epoch seconds (fractional). */
export const seconds = (ms: number | undefined): number | undefined =>
  ms === undefined ? undefined : ms / 1000;

function describe(job: TrainingJobRecord): Record<string, unknown> {
  const req = job.request as Record<string, unknown> & { AlgorithmSpecification: Record<string, unknown> };
  let metricDefinitions: unknown = req.AlgorithmSpecification.MetricDefinitions;
  try {
    metricDefinitions = metricDefinitionsFor(job, runtimeOf(job));
  } catch {
    // An image that no longer resolves still describes with the user's own definitions.
  }
  const end = job.trainingEndTime;
  const start = job.trainingStartTime;
  const trainingSeconds =
    start !== undefined && end !== undefined ? Math.max(0, Math.round((end - start) / 1000)) : undefined;
  const out: Record<string, unknown> = {
    ...req,
    TrainingJobName: job.name,
    TrainingJobArn: job.arn,
    AlgorithmSpecification: { ...req.AlgorithmSpecification, MetricDefinitions: metricDefinitions },
    ModelArtifacts: { S3ModelArtifacts: job.modelArtifacts ?? '' },
    TrainingJobStatus: job.status,
    SecondaryStatus: job.secondaryStatus,
    FailureReason: job.failureReason,
    CreationTime: seconds(job.creationTime),
    TrainingStartTime: seconds(job.trainingStartTime),
    TrainingEndTime: seconds(job.trainingEndTime),
    LastModifiedTime: seconds(job.lastModifiedTime),
    SecondaryStatusTransitions: job.transitions.map((t) => ({
      Status: t.Status,
      StartTime: seconds(t.StartTime),
      EndTime: seconds(t.EndTime),
      StatusMessage: t.StatusMessage,
    })),
    FinalMetricDataList: job.finalMetrics.map((m) => ({
      MetricName: m.MetricName,
      Value: m.Value,
      Timestamp: seconds(m.Timestamp),
    })),
    EnableNetworkIsolation: req.EnableNetworkIsolation ?? false,
    EnableInterContainerTrafficEncryption: req.EnableInterContainerTrafficEncryption ?? false,
    EnableManagedSpotTraining: req.EnableManagedSpotTraining ?? false,
    TrainingTimeInSeconds: trainingSeconds,
    BillableTimeInSeconds: trainingSeconds,
  };
  if (!job.modelArtifacts && job.status !== 'Completed') delete out.ModelArtifacts;
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>; // drops undefined members
}

function summary(job: TrainingJobRecord): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify({
      TrainingJobName: job.name,
      TrainingJobArn: job.arn,
      CreationTime: seconds(job.creationTime),
      TrainingEndTime: seconds(job.trainingEndTime),
      LastModifiedTime: seconds(job.lastModifiedTime),
      TrainingJobStatus: job.status,
      SecondaryStatus: job.secondaryStatus,
    }),
  ) as Record<string, unknown>;
}

const ms = (s: number | undefined): number | undefined => (s === undefined ? undefined : s * 1000);

/** CreateTrainingJob, DescribeTrainingJob, ListTrainingJobs, StopTrainingJob. */
export function trainingJobOperations(service: TrainingJobService): OperationTable {
  return {
    CreateTrainingJob: operation(createTrainingJobInput, async (input) => {
      const problem = metricDefinitionProblem(input.AlgorithmSpecification.MetricDefinitions ?? []);
      if (problem) throw validationError(problem);
      const job = await service.create(input);
      return { TrainingJobArn: job.arn };
    }),
    DescribeTrainingJob: operation(trainingJobNameInput, async (input) =>
      describe(await service.get(input.TrainingJobName)),
    ),
    ListTrainingJobs: operation(listTrainingJobsInput, async (input) => {
      const limit = input.MaxResults ?? 10;
      const filters = {
        nameContains: input.NameContains,
        statusEquals: input.StatusEquals,
        creationTimeAfter: ms(input.CreationTimeAfter),
        creationTimeBefore: ms(input.CreationTimeBefore),
        lastModifiedTimeAfter: ms(input.LastModifiedTimeAfter),
        lastModifiedTimeBefore: ms(input.LastModifiedTimeBefore),
        sortBy: input.SortBy ?? 'CreationTime',
        sortOrder: input.SortOrder ?? 'Ascending',
      } as const;
      const offset = input.NextToken ? decodePageToken(input.NextToken, filters) : 0;
      const page = await service.list({ ...filters, offset, limit: limit + 1 });
      const more = page.length > limit;
      return {
        TrainingJobSummaries: page.slice(0, limit).map(summary),
        ...(more ? { NextToken: encodePageToken(offset + limit, filters) } : {}),
      };
    }),
    StopTrainingJob: operation(trainingJobNameInput, async (input) => {
      await service.stop(input.TrainingJobName);
      return {};
    }),
  };
}
