import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config.js';

/**
 * docs/configuration.md must name every setting Lathe reads: the schema keys, every environment
 * variable config.ts mentions, the variables job processes inherit and the `lathe serve` flags.
 */
const root = join(import.meta.dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'configuration.md'), 'utf8');
const configSource = readFileSync(join(root, 'src', 'config', 'config.ts'), 'utf8');
const cliSource = readFileSync(join(root, 'src', 'cli', 'main.ts'), 'utf8');

const mentioned = (name: string) => doc.includes(`\`${name}\``);
const missing = (names: Iterable<string>) => [...new Set(names)].filter((n) => !mentioned(n)).sort();

/** The long option names declared in a slice of cli/main.ts. */
const flagsIn = (text: string) =>
  [...text.matchAll(/\.option\(\s*'(?:-\w, )?(--[a-z][a-z-]*)/g)].map((m) => m[1]!);

describe('docs/configuration.md', () => {
  it('names every key of configSchema', () => {
    const keys = Object.keys(configSchema.shape);
    expect(keys.length).toBeGreaterThan(10);
    expect(missing(keys)).toEqual([]);
  });

  it('names every environment variable config.ts reads', () => {
    const names = [...configSource.matchAll(/\b((?:LATHE|AWS)_[A-Z0-9_]+)\b/g)].map((m) => m[1]!);
    expect(names).toContain('LATHE_PORT');
    expect(names).toContain('LATHE_ENDPOINT_URL');
    expect(missing(names)).toEqual([]);
  });

  it('names every variable job processes inherit', () => {
    const pattern = /const inheritedNames\s*=\s*\/\^\((.+)\)\$\//.exec(configSource)?.[1];
    expect(pattern, 'inheritedNames regex not found in config.ts').toBeDefined();
    // `LC_[A-Z]+` is documented as `LC_*`.
    const names = pattern!.split('|').map((n) => n.replace(/\[[^\]]*\]\+$/, '*'));
    expect(names).toContain('PATH');
    expect(missing(names)).toEqual([]);
  });

  it('names the global flags and those of lathe serve', () => {
    const firstCommand = cliSource.indexOf(".command('");
    const serveAt = cliSource.indexOf(".command('serve')");
    expect(serveAt, "cli/main.ts has no .command('serve')").toBeGreaterThan(0);
    const serveEnd = cliSource.indexOf(".command('", serveAt + 1);
    const flags = [
      ...flagsIn(cliSource.slice(0, firstCommand)),
      ...flagsIn(cliSource.slice(serveAt, serveEnd < 0 ? undefined : serveEnd)),
    ];
    expect(flags).toEqual(
      expect.arrayContaining(['--endpoint-url', '--data-dir', '--region', '--host', '--port']),
    );
    expect(missing(flags)).toEqual([]);
  });
});
