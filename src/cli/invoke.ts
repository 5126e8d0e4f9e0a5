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
}

/** `lathe invoke <endpoint> --body <text|@file>`: prints the response body. */
export async function invokeCommand(
  clients: LatheClients,
  endpointName: string,
  options: InvokeCliOptions,
): Promise<void> {
  const body = options.body.startsWith('@') ? readFileSync(options.body.slice(1)) : options.body;
  const predictor = new Predictor(endpointName, new Session({ clients }));
  const out = await predictor.invoke(body, {
    contentType: options.contentType,
    accept: options.accept,
    targetVariant: options.variant,
  });
  process.stdout.write(out.body);
  if (out.body.length && out.body[out.body.length - 1] !== 0x0a) process.stdout.write('\n');
}
