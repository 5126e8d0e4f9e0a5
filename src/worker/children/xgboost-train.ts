/**
 * Child-process entry of the built-in XGBoost algorithm:
 *
 *     node dist/worker/children/xgboost-train.js <mlRoot>
 *
 * `<mlRoot>` is laid out like `/opt/ml`. Eval lines go to stdout; on failure
 * `<mlRoot>/output/failure` holds the FailureReason and the exit code is 1. SIGTERM stops after
 * the current round, saves the model so far and exits 0.
 */
import { runXgboostTrainingJob } from '../../algorithms/xgboost/train.js';

const mlRoot = process.argv[2];
if (!mlRoot) {
  process.stderr.write('usage: xgboost-train <mlRoot>\n');
  process.exit(64);
}

let stopRequested = false;
process.on('SIGTERM', () => {
  stopRequested = true;
});

process.exitCode = await runXgboostTrainingJob(mlRoot, { shouldStop: () => stopRequested });
