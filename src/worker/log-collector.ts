import { compileMetricRegex, matchMetrics, renderLogLine } from '../domain/metric-regex.js';
import type { MetricDefinition, MetricValue } from '../domain/training-job.js';
import type { LogEvent, MetadataStore } from '../ports/metadata-store.js';

const FLUSH_EVERY_MS = 200;
const FLUSH_AT_LINES = 500;
const MAX_LINE_CHARS = 256 * 1024;

/**
 * Collects a job's output lines into its CloudWatch-style log stream and its metric series,
 * in batches so a chatty script cannot turn every line into a transaction.
 */
export class LogCollector {
  private events: LogEvent[] = [];
  private points: MetricValue[] = [];
  private readonly last = new Map<string, MetricValue>();
  private readonly compiled: { name: string; re: RegExp }[];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private tail: string[] = [];

  constructor(
    private readonly store: MetadataStore,
    private readonly jobName: string,
    private readonly group: string,
    private readonly stream: string,
    definitions: readonly MetricDefinition[],
    private readonly now: () => number = Date.now,
  ) {
    this.compiled = definitions.map((d) => ({ name: d.Name, re: compileMetricRegex(d.Regex) }));
  }

  /** Adds one line of output (also used for Lathe's own messages about the job). */
  line(raw: string): void {
    const text = raw.length > MAX_LINE_CHARS ? `${raw.slice(0, MAX_LINE_CHARS)}…` : raw;
    const rendered = renderLogLine(text);
    const timestamp = this.now();
    this.events.push({ timestamp, message: rendered });
    this.tail.push(rendered);
    if (this.tail.length > 20) this.tail.shift();
    for (const { name, value } of matchMetrics(rendered, text, this.compiled)) {
      const point = { MetricName: name, Value: value, Timestamp: timestamp };
      this.points.push(point);
      this.last.set(name, point);
    }
    if (this.events.length >= FLUSH_AT_LINES) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS);
  }

  /** Writes what is buffered; resolves when everything added so far is stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.events;
    const points = this.points;
    this.events = [];
    this.points = [];
    this.writing = this.writing.then(async () => {
      if (events.length) await this.store.logs.append(this.group, this.stream, events);
      if (points.length) await this.store.metrics.append(this.jobName, points);
    });
    return this.writing;
  }

  /** The last value of each metric: DescribeTrainingJob's FinalMetricDataList. */
  finalMetrics(): MetricValue[] {
    return [...this.last.values()];
  }

  /** The last lines, for a FailureReason when the process left no failure file. */
  lastLines(n = 5): string {
    return this.tail.slice(-n).join(' | ').slice(0, 600);
  }
}
