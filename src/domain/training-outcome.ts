import type { SecondaryStatus, TrainingJobStatus } from './training-job.js';

/** Why a training process ended, as the runner observed it. */
export type TrainingEnd =
  | {
      readonly kind: 'exited';
      readonly code: number;
      readonly failureFile?: string;
      readonly stderrTail: string;
    }
  | {
      readonly kind: 'signalled';
      readonly signal: string;
      readonly failureFile?: string;
      readonly stderrTail: string;
    }
  | { readonly kind: 'spawn-failed'; readonly message: string }
  | { readonly kind: 'stop-requested' }
  | { readonly kind: 'max-runtime'; readonly seconds: number }
  | { readonly kind: 'client-error'; readonly message: string }
  | { readonly kind: 'internal-error'; readonly message: string };

export interface TrainingOutcome {
  readonly status: Extract<TrainingJobStatus, 'Completed' | 'Failed' | 'Stopped'>;
  readonly secondaryStatus: SecondaryStatus;
  readonly failureReason?: string;
  readonly message: string;
}

const FAILURE_REASON_LIMIT = 1024;

const clip = (text: string): string => text.trim().slice(0, FAILURE_REASON_LIMIT);

function failed(reason: string): TrainingOutcome {
  const failureReason = clip(reason);
  return { status: 'Failed', secondaryStatus: 'Failed', failureReason, message: failureReason };
}

/** Maps every way a job can end to its final status; the compiler checks the switch is exhaustive. */
export function trainingOutcome(end: TrainingEnd): TrainingOutcome {
  switch (end.kind) {
    case 'exited':
      if (end.code === 0) {
        return { status: 'Completed', secondaryStatus: 'Completed', message: 'Training job completed' };
      }
      return failed(
        end.failureFile?.trim()
          ? end.failureFile
          : `AlgorithmError: the training process exited with code ${end.code}. Last output: ${end.stderrTail || '(none)'}`,
      );
    case 'signalled':
      return failed(
        end.failureFile?.trim()
          ? end.failureFile
          : `AlgorithmError: the training process was killed by ${end.signal}. Last output: ${end.stderrTail || '(none)'}`,
      );
    case 'spawn-failed':
      return failed(`ClientError: the training process could not start: ${end.message}`);
    case 'stop-requested':
      return { status: 'Stopped', secondaryStatus: 'Stopped', message: 'The job was stopped.' };
    case 'max-runtime':
      return {
        status: 'Stopped',
        secondaryStatus: 'MaxRuntimeExceeded',
        message: `The job exceeded MaxRuntimeInSeconds (${end.seconds} s) and was stopped.`,
      };
    case 'client-error':
      return failed(end.message.startsWith('ClientError') ? end.message : `ClientError: ${end.message}`);
    case 'internal-error':
      return failed(`InternalServerError: ${end.message}`);
    default: {
      const unreachable: never = end;
      return unreachable;
    }
  }
}
