import { DescribeEndpointCommand, ListEndpointsCommand } from '@aws-sdk/client-sagemaker';
import type { LatheClients } from '../sdk/clients.js';
import { Predictor } from '../sdk/predictor.js';
import { Session } from '../sdk/session.js';

const when = (d: Date | undefined) => (d ? d.toISOString().replace('T', ' ').slice(0, 19) : '-');

/** `lathe endpoints list`: a table of endpoints, newest first. */
export async function listEndpoints(clients: LatheClients, options: { limit: number }): Promise<void> {
  const out = await clients.sagemaker.send(
    new ListEndpointsCommand({ SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: options.limit }),
  );
  const rows = (out.Endpoints ?? []).map((e) => [
    e.EndpointName ?? '',
    e.EndpointStatus ?? '',
    when(e.CreationTime),
    when(e.LastModifiedTime),
  ]);
  const header = ['NAME', 'STATUS', 'CREATED', 'MODIFIED'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) {
    process.stdout.write(
      `${row
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd()}\n`,
    );
  }
}

/** `lathe endpoints describe <name>`: DescribeEndpoint as JSON. */
export async function describeEndpoint(clients: LatheClients, name: string): Promise<void> {
  const out = await clients.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
  const { $metadata: _, ...endpoint } = out;
  process.stdout.write(`${JSON.stringify(endpoint, null, 2)}\n`);
}

/** `lathe endpoints delete <name>`: the endpoint, its configuration and (by default) its models. */
export async function deleteEndpoint(
  clients: LatheClients,
  name: string,
  options: { keepConfig?: boolean; keepModel?: boolean },
): Promise<void> {
  const deleted = await new Predictor(name, new Session({ clients })).delete({
    deleteEndpointConfig: !options.keepConfig,
    deleteModel: !options.keepModel,
  });
  const also = [
    ...(deleted.endpointConfig ? [`endpoint config ${deleted.endpointConfig}`] : []),
    ...deleted.models.map((m) => `model ${m}`),
  ];
  process.stdout.write(`Deleted endpoint ${name}${also.length ? ` (and ${also.join(', ')})` : ''}\n`);
}
