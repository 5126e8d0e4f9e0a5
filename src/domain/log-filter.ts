/**
 * CloudWatch Logs filter patterns, the plain-text subset: space-separated terms that must all
 * appear, `"quoted phrases"`, and `-term` exclusions. An empty pattern matches everything.
 */
export function filterMatcher(pattern: string): (message: string) => boolean {
  const trimmed = pattern.trim();
  if (!trimmed) return () => true;
  const terms = [...trimmed.matchAll(/(-?)"([^"]*)"|(-?)(\S+)/g)].map((m) => ({
    negate: (m[1] ?? m[3]) === '-',
    text: m[2] ?? m[4] ?? '',
  }));
  return (message) => terms.every((t) => message.includes(t.text) !== t.negate);
}
