import type { TransformJobRecord } from '../../domain/transform-job.js';
import type { TransformJobService } from '../../services/transform-jobs.js';
import { type OperationTable, operation } from '../operation.js';
import { compact, listOperation, statusFilters } from './models.js';
import { seconds } from './training-jobs.js';
import {
  createTransformJobInput,
  listTransformJobsInput,
  transformJobNameInput,
} from './transform-schemas.js';

function describe(job: TransformJobRecord): Record<string, unknown> {
  const { TransformJobName: _name, ...request } = job.request;
  return compact({
    TransformJobName: job.name,
    TransformJobArn: job.arn,
    TransformJobStatus: job.status,
    FailureReason: job.failureReason,
    ...request,
    CreationTime: seconds(job.creationTime),
    TransformStartTime: seconds(job.transformStartTime),
    TransformEndTime: seconds(job.transformEndTime),
  });
}

function summary(job: TransformJobRecord): Record<string, unknown> {
  return compact({
    TransformJobName: job.name,
    TransformJobArn: job.arn,
    CreationTime: seconds(job.creationTime),
    TransformEndTime: seconds(job.transformEndTime),
    LastModifiedTime: seconds(job.lastModifiedTime),
    TransformJobStatus: job.status,
    FailureReason: job.failureReason,
  });
}

/** CreateTransformJob, DescribeTransformJob, ListTransformJobs, StopTransformJob. */
export function transformJobOperations(service: TransformJobService): OperationTable {
  return {
    CreateTransformJob: operation(createTransformJobInput, async (input) => {
      const job = await service.create(input);
      return { TransformJobArn: job.arn };
    }),
    DescribeTransformJob: operation(transformJobNameInput, async (input) =>
      describe(await service.get(input.TransformJobName)),
    ),
    ListTransformJobs: listOperation(
      listTransformJobsInput,
      'TransformJobSummaries',
      (q) => service.list(q),
      summary,
      statusFilters,
    ),
    StopTransformJob: operation(transformJobNameInput, async (input) => {
      await service.stop(input.TransformJobName);
      return {};
    }),
  };
}
