import { z } from 'zod';
import { AwsError } from '../../errors/aws-error.js';
import type { LogReader } from '../../services/log-reader.js';
import { type OperationTable, operation } from '../operation.js';

/**
 * The CloudWatch Logs operations SageMaker SDKs use to show job logs: DescribeLogStreams,
 * GetLogEvents, FilterLogEvents (AWS JSON 1.1, target prefix `Logs_20140328`).
 */
const groupName = z.string().min(1).max(512);
const limitOf = (max: number) => z.number().int().min(1).max(max).optional();

function token(prefix: 'f' | 'b', id: number): string {
  return `${prefix}/${String(id).padStart(20, '0')}`;
}

function parseToken(value: string, field: string): { dir: 'f' | 'b'; id: number } {
  const m = /^([fb])\/(\d{1,20})$/.exec(value);
  if (!m) throw new AwsError('InvalidParameterException', `The specified ${field} is not valid.`);
  return { dir: m[1] as 'f' | 'b', id: Number(m[2]) };
}

const event = (e: { timestamp: number; message: string; ingestionTime: number }) => ({
  timestamp: e.timestamp,
  message: e.message,
  ingestionTime: e.ingestionTime,
});

export function logsOperations(reader: LogReader, region: string, accountId: string): OperationTable {
  return {
    DescribeLogStreams: operation(
      z.looseObject({
        logGroupName: groupName.optional(),
        logGroupIdentifier: z.string().optional(),
        logStreamNamePrefix: z.string().min(1).max(512).optional(),
        orderBy: z.enum(['LogStreamName', 'LastEventTime']).optional(),
        descending: z.boolean().optional(),
        nextToken: z.string().optional(),
        limit: limitOf(50),
      }),
      async (input) => {
        const group = input.logGroupName ?? input.logGroupIdentifier;
        if (!group) throw new AwsError('InvalidParameterException', 'logGroupName is required.');
        if (input.orderBy === 'LastEventTime' && input.logStreamNamePrefix) {
          throw new AwsError(
            'InvalidParameterException',
            'Cannot order by LastEventTime with a logStreamNamePrefix.',
          );
        }
        const all = await reader.streams(group, {
          prefix: input.logStreamNamePrefix,
          orderBy: input.orderBy ?? 'LogStreamName',
          descending: input.descending ?? false,
        });
        const offset = input.nextToken ? Number.parseInt(input.nextToken, 36) || 0 : 0;
        const limit = input.limit ?? 50;
        const page = all.slice(offset, offset + limit);
        return {
          logStreams: page.map((s) => ({
            ...s,
            arn: `arn:aws:logs:${region}:${accountId}:log-group:${group}:log-stream:${s.logStreamName}`,
          })),
          ...(offset + limit < all.length ? { nextToken: (offset + limit).toString(36) } : {}),
        };
      },
    ),
    GetLogEvents: operation(
      z.looseObject({
        logGroupName: groupName.optional(),
        logGroupIdentifier: z.string().optional(),
        logStreamName: z.string().min(1).max(512),
        startTime: z.number().int().min(0).optional(),
        endTime: z.number().int().min(0).optional(),
        nextToken: z.string().optional(),
        limit: limitOf(10000),
        startFromHead: z.boolean().optional(),
      }),
      async (input) => {
        const group = input.logGroupName ?? input.logGroupIdentifier ?? '';
        const limit = input.limit ?? 10000;
        const t = input.nextToken ? parseToken(input.nextToken, 'nextToken') : undefined;
        const fromHead = t ? t.dir === 'f' : (input.startFromHead ?? false);
        const events = await reader.events(group, input.logStreamName, {
          startTime: input.startTime,
          endTime: input.endTime,
          afterId: t?.dir === 'f' ? t.id : undefined,
          beforeId: t?.dir === 'b' ? t.id : undefined,
          fromHead,
          limit,
        });
        // AWS always returns both tokens; at the end the forward token stays the same.
        const first = events[0]?.id;
        const last = events.at(-1)?.id;
        return {
          events: events.map(event),
          nextForwardToken: token('f', last ?? (t?.dir === 'f' ? t.id : (t?.id ?? 1) - 1)),
          nextBackwardToken: token('b', first ?? (t?.dir === 'b' ? t.id : (t?.id ?? 0) + 1)),
        };
      },
    ),
    FilterLogEvents: operation(
      z.looseObject({
        logGroupName: groupName.optional(),
        logGroupIdentifier: z.string().optional(),
        logStreamNames: z.array(z.string().min(1)).min(1).max(100).optional(),
        logStreamNamePrefix: z.string().min(1).optional(),
        startTime: z.number().int().min(0).optional(),
        endTime: z.number().int().min(0).optional(),
        filterPattern: z.string().max(1024).optional(),
        nextToken: z.string().optional(),
        limit: limitOf(10000),
        interleaved: z.boolean().optional(),
      }),
      async (input) => {
        const group = input.logGroupName ?? input.logGroupIdentifier ?? '';
        if (input.logStreamNames && input.logStreamNamePrefix) {
          throw new AwsError(
            'InvalidParameterException',
            'logStreamNames and logStreamNamePrefix cannot both be given.',
          );
        }
        const found = await reader.filter(group, {
          streams: input.logStreamNames,
          streamPrefix: input.logStreamNamePrefix,
          startTime: input.startTime,
          endTime: input.endTime,
          afterId: input.nextToken ? parseToken(input.nextToken, 'nextToken').id : undefined,
          pattern: input.filterPattern,
          limit: input.limit ?? 10000,
        });
        return {
          events: found.events.map((e) => ({
            logStreamName: e.logStreamName,
            eventId: String(e.id),
            ...event(e),
          })),
          searchedLogStreams: found.searched.map((logStreamName) => ({
            logStreamName,
            searchedCompletely: true,
          })),
          ...(found.more && found.cursor !== undefined ? { nextToken: token('f', found.cursor) } : {}),
        };
      },
    ),
  };
}
