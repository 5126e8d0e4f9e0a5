import type { MetricDefinition } from './training-job.js';

/** Compiles a MetricDefinitions regex; Python's `(?P<name>` groups become JS's `(?<name>`. */
export function compileMetricRegex(regex: string): RegExp {
  return new RegExp(regex.replace(/\(\?P</g, '(?<'));
}

/** The first problem with a list of metric definitions, for a ValidationException. */
export function metricDefinitionProblem(defs: readonly MetricDefinition[]): string | undefined {
  for (const [i, d] of defs.entries()) {
    try {
      const re = compileMetricRegex(d.Regex);
      if (!/\((?!\?:|\?=|\?!|\?<=|\?<!)/.test(re.source)) {
        return `AlgorithmSpecification.MetricDefinitions.${i + 1}.Regex '${d.Regex}' has no capture group for the value.`;
      }
    } catch (e) {
      return `AlgorithmSpecification.MetricDefinitions.${i + 1}.Regex '${d.Regex}' is not a valid regular expression: ${(e as Error).message}`;
    }
  }
  return undefined;
}

/** Renders a log line as CloudWatch shows SageMaker's: TAB as `#011`, no trailing CR. */
export function renderLogLine(line: string): string {
  return line.replace(/\r$/, '').replace(/\t/g, '#011');
}

/**
 * Values of the metrics in one log line. The first capture group must start with a number;
 * anything after it is ignored (SageMaker drops values that do not parse).
 */
export function matchMetrics(
  line: string,
  rawLine: string,
  compiled: readonly { name: string; re: RegExp }[],
): { name: string; value: number }[] {
  const out: { name: string; value: number }[] = [];
  for (const { name, re } of compiled) {
    const m = re.exec(line) ?? (rawLine !== line ? re.exec(rawLine) : null);
    const captured = m?.[1];
    if (captured === undefined) continue;
    const value = Number.parseFloat(captured);
    if (Number.isFinite(value)) out.push({ name, value });
  }
  return out;
}
