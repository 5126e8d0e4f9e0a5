/** SageMaker ARNs: `arn:aws:sagemaker:<region>:<account>:<type>/<name>`, name lower-cased as AWS does. */
export interface ArnScope {
  readonly region: string;
  readonly accountId: string;
}

export function sagemakerArn(scope: ArnScope, type: string, name: string): string {
  return `arn:aws:sagemaker:${scope.region}:${scope.accountId}:${type}/${name.toLowerCase()}`;
}

export interface ParsedArn {
  readonly service: string;
  readonly region: string;
  readonly accountId: string;
  readonly resourceType: string;
  readonly resourceName: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const m = /^arn:aws[a-z-]*:([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):([a-z-]+)\/(.+)$/.exec(arn);
  if (!m) return undefined;
  return { service: m[1]!, region: m[2]!, accountId: m[3]!, resourceType: m[4]!, resourceName: m[5]! };
}

/** SageMaker's name pattern for jobs, endpoints, configs: ≤ 63 alphanumerics and hyphens. */
export const resourceNamePattern = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
