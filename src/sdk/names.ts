/** Resource names the way the SageMaker Python SDK makes them (`name_from_base`). */

const maxLength = 63;
const used = new Set<string>();

/** `2024-05-01-12-30-45-123`, in UTC. */
function timestamp(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:T.]/g, '-')
    .replace(/Z$/, '');
}

/**
 * `<base>-<yyyy-mm-dd-hh-mm-ss-mmm>`, trimmed to SageMaker's 63 characters. Unique within this
 * process even when two names are made in the same millisecond.
 */
export function nameFromBase(base: string, at = new Date()): string {
  const clean =
    base
      .replace(/[^a-zA-Z0-9-]/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, maxLength - 24) || 'lathe';
  let ms = at.getTime();
  for (;;) {
    const name = `${clean}-${timestamp(new Date(ms))}`;
    if (!used.has(name)) {
      used.add(name);
      return name;
    }
    ms += 1;
  }
}

/** The repository part of an image URI: `…/sagemaker-xgboost:1.7-1` → `sagemaker-xgboost`. */
export function baseNameFromImage(imageUri: string): string {
  const path = imageUri.split('@')[0]!;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last.split(':')[0] || 'lathe';
}
