import { isMaximizedMetric } from './metric-definitions.js';

/** One `<set>-<metric>:<value>` entry of an eval line. */
export interface EvalEntry {
  readonly set: string;
  readonly metric: string;
  readonly value: number;
}

/** Splits `[3]\ttrain-rmse:1.2\tvalidation-rmse:1.4` into entries, as Python xgboost does. */
export function parseEvalLine(line: string): EvalEntry[] {
  const entries: EvalEntry[] = [];
  for (const token of line.trim().split(/\s+/).slice(1)) {
    const colon = token.lastIndexOf(':');
    const name = token.slice(0, colon);
    const dash = name.indexOf('-');
    if (colon < 0 || dash < 0) continue;
    entries.push({
      set: name.slice(0, dash),
      metric: name.slice(dash + 1),
      value: Number(token.slice(colon + 1)),
    });
  }
  return entries;
}

/**
 * xgboost.train's early stopping (Python 1.7 `callback.EarlyStopping`, min_delta 0): watches the
 * last metric of the last eval set, keeps the best score and its iteration, and asks to stop
 * once `rounds` rounds in a row did not strictly improve on it.
 */
export class EarlyStopping {
  bestScore: number | undefined;
  bestIteration: number | undefined;
  metric: string | undefined;
  maximize = false;
  private stale = 0;

  constructor(private readonly rounds: number) {}

  /** Records one round; true when training should stop now. */
  update(iteration: number, entries: readonly EvalEntry[]): boolean {
    const last = entries[entries.length - 1];
    if (!last) return false;
    const watched = entries.filter((e) => e.set === last.set);
    const current = watched[watched.length - 1]!;
    if (this.metric === undefined) {
      this.metric = `${current.set}-${current.metric}`;
      this.maximize = isMaximizedMetric(current.metric);
    }
    const score = current.value;
    if (this.bestScore === undefined) {
      this.bestScore = score;
      this.bestIteration = iteration;
      this.stale = 0;
    } else if (this.maximize ? score > this.bestScore : score < this.bestScore) {
      this.bestScore = score;
      this.bestIteration = iteration;
      this.stale = 0;
    } else {
      this.stale++;
    }
    return this.stale >= this.rounds;
  }
}

/** Python's `str(float)`: shortest round-trip digits, exponent outside [1e-4, 1e16), `.0` on integers. */
export function pythonFloatString(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const [mantissa = '0', expText = '0'] = x.toExponential().split('e');
  const exp = Number(expText);
  if (x !== 0 && (exp < -4 || exp >= 16)) {
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = String(x);
  return s.includes('.') ? s : `${s}.0`;
}
