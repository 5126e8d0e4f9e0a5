/**
 * The AWS SDK warns on every process start that its releases after January 2027 need
 * Node 22. This release of Lathe runs on Node 20 with the SDK versions it pins, so the
 * warning only buries useful output; every other warning is still printed.
 */
export function quietNodeVersionWarning(): void {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const options = rest[0];
    const type = typeof options === 'string' ? options : (options as { type?: string } | undefined)?.type;
    if (type === 'NodeVersionSupportWarning' || String(warning).includes('NodeVersionSupportWarning')) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}
