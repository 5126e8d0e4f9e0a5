import type { z } from 'zod';
import { AwsError } from '../errors/aws-error.js';

/** What every operation handler receives besides its input. */
export interface CallContext {
  readonly requestId: string;
  readonly accessKeyId: string;
  readonly region: string;
}

/** An AWS JSON operation: validated input in, output shape out. */
export type Operation = (input: unknown, ctx: CallContext) => Promise<unknown>;

/** The dispatch table of one service: operation name → handler. */
export type OperationTable = Readonly<Record<string, Operation>>;

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.map(String).join('.');
  const value = issue.path.reduce<unknown>(
    (v, k) =>
      v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined,
    input,
  );
  const shown = value === undefined ? 'null' : JSON.stringify(value)?.slice(0, 100);
  const constraint =
    issue.code === 'invalid_type' && value === undefined ? 'Member must not be null' : issue.message;
  return `Value ${shown} at '${path}' failed to satisfy constraint: ${constraint}`;
}

/** Parses input with a zod schema, answering AWS's "N validation errors detected" on failure. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 10);
  const n = result.error.issues.length;
  const summary = `${n} validation error${n === 1 ? '' : 's'} detected: `;
  throw new AwsError('ValidationException', summary + issues.map((i) => describeIssue(i, input)).join('; '));
}

/** Builds an operation from a schema and a handler of the parsed input. */
export function operation<S extends z.ZodType>(
  schema: S,
  handler: (input: z.infer<S>, ctx: CallContext) => Promise<unknown>,
): Operation {
  return (input, ctx) => handler(parseInput(schema, input), ctx);
}
