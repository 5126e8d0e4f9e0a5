import { readFileSync } from 'node:fs';
import type { LatheClients } from '../sdk/clients.js';
import { Predictor } from '../sdk/predictor.js';
import { Session } from '../sdk/session.js';

export interface InvokeCliOptions {
  /** The request body, or `@path` to read it from a file. */
  readonly body: string;
  readonly contentType: string;
  readonly accept?: string;
  readonly variant?: string;
  /** InvokeEndpointWithResponseStream: print each part as it arrives. */
  readonly stream?: boolean;
  /** Multi-model endpoints: the model to run. */
  readonly targetModel?: string;
}

/** `lathe invoke <endpoint> --body <text|@file>`: prints the response body. */
export async function invokeCommand(
  clients: LatheClients,
  endpointName: string,
  options: InvokeCliOptions,
): Promise<void> {
  const body = options.body.startsWith('@') ? readFileSync(options.body.slice(1)) : options.body;
  const predictor = new Predictor(endpointName, new Session({ clients }));
  if (options.stream) {
    let last = 0x0a;
    for await (const part of predictor.predictStream(body, {
      contentType: options.contentType,
      accept: options.accept,
      targetVariant: options.variant,
    })) {
      process.stdout.write(part);
      if (part.length) last = part[part.length - 1]!;
    }
    if (last !== 0x0a) process.stdout.write('\n');
    return;
  }
  const out = await predictor.invoke(body, {
    contentType: options.contentType,
    accept: options.accept,
    targetVariant: options.variant,
    targetModel: options.targetModel,
  });
  process.stdout.write(out.body);
  if (out.body.length && out.body[out.body.length - 1] !== 0x0a) process.stdout.write('\n');
}
