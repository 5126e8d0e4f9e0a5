/**
 * The dependency rules of the architecture (architecture.md, "Dependency rules"), checked over
 * every import in `src/`: static `import`/`export … from`, `import type`, `typeof import()` and
 * dynamic `import()`. Parsed with the TypeScript parser, so comments and strings never count.
 *
 * Where the code legitimately needs an exception it is listed in `exceptions` with a reason;
 * where it breaks a rule by mistake it is listed in `knownViolations` with a TODO. Both lists
 * must stay exact: an entry that no longer matches anything fails the test too.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, posix, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const srcDir = join(import.meta.dirname, '..', '..', 'src');

/** Where an import points: a Node builtin, an npm package, a file of src/, or an unknown expression. */
type Target =
  | { readonly kind: 'builtin'; readonly name: string }
  | { readonly kind: 'package'; readonly name: string }
  | { readonly kind: 'src'; readonly name: string }
  | { readonly kind: 'computed'; readonly name: string };

interface Import {
  /** The importing file, relative to src/ (posix separators). */
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  /** `import type` / `export type` / `typeof import()`: erased at run time. */
  readonly typeOnly: boolean;
  /** `import(…)` evaluated at run time, on demand. */
  readonly dynamic: boolean;
  readonly target: Target;
}

function resolveTarget(file: string, specifier: string): Target {
  if (isBuiltin(specifier))
    return { kind: 'builtin', name: specifier.startsWith('node:') ? specifier : `node:${specifier}` };
  if (specifier.startsWith('.')) {
    const path = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.(m|c)?js$/, '.$1ts');
    return { kind: 'src', name: path };
  }
  const parts = specifier.split('/');
  return {
    kind: 'package',
    name: specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier),
  };
}

function scan(file: string, text: string): { imports: Import[]; envReads: number[] } {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const imports: Import[] = [];
  const envReads: number[] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const add = (node: ts.Node, spec: ts.Node | undefined, typeOnly: boolean, dynamic = false) => {
    const line = lineOf(node);
    if (spec && ts.isStringLiteralLike(spec)) {
      imports.push({
        file,
        line,
        specifier: spec.text,
        typeOnly,
        dynamic,
        target: resolveTarget(file, spec.text),
      });
    } else {
      const shown = spec?.getText(source) ?? '';
      imports.push({
        file,
        line,
        specifier: shown,
        typeOnly,
        dynamic,
        target: { kind: 'computed', name: shown },
      });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node, node.moduleSpecifier, node.importClause?.isTypeOnly ?? false);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier)
      add(node, node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], false, true);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal, true);
    } else if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'process' &&
      node.name.text === 'env'
    ) {
      envReads.push(lineOf(node));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, envReads };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.split(sep).join('/'))
    .sort();
}

const isTest = (file: string) => /\.test\.ts$/.test(file);
/** The top folder of a src file (`services`), or the file itself at the top (`platform.ts`). */
const layerOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file);
const inLayer = (t: Target, ...layers: string[]) => t.kind === 'src' && layers.includes(layerOf(t.name));

const ioBuiltins = /^node:(fs|net|tls|dgram|http|https|http2|child_process)(\/|$)/;
const pureLayers = ['domain', 'errors', 'math', 'stats', 'algorithms', 'tuning', 'monitoring', 'clarify'];
/** Packages that do I/O or load native code; `services` must not reach them, even indirectly. */
const ioPackages = /^(@aws-sdk\/|koffi$|better-sqlite3$|kysely$|pg$|bullmq$|ioredis$|tar$)/;
const optionalBackends = /^(pg|bullmq|ioredis|@aws-sdk\/client-s3)$/;

const files = sourceFiles(srcDir);
const scanned = new Map(files.map((f) => [f, scan(f, readFileSync(join(srcDir, f), 'utf8'))]));
const production = files.filter((f) => !isTest(f));
const allImports = production.flatMap((f) => scanned.get(f)!.imports);

/** Value (run-time) imports between src files, for the transitive rules. */
function closure(start: string): { reached: Map<string, string[]>; external: Map<string, string[]> } {
  const reached = new Map<string, string[]>([[start, [start]]]);
  const external = new Map<string, string[]>();
  const queue = [start];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const path = reached.get(file)!;
    for (const imp of scanned.get(file)?.imports ?? []) {
      if (imp.typeOnly) continue;
      if (imp.target.kind === 'src') {
        if (!reached.has(imp.target.name)) {
          reached.set(imp.target.name, [...path, imp.target.name]);
          queue.push(imp.target.name);
        }
      } else if (!external.has(imp.target.name)) {
        external.set(imp.target.name, [...path, imp.target.name]);
      }
    }
  }
  return { reached, external };
}

/**
 * Modules that load libxgboost or read the training job's files: they belong to the training
 * child process (`worker/children/xgboost-train.ts`), never to the server process, where
 * XGBoost's per-thread state and a native crash would take the whole server down.
 */
const childOnly = new Set(
  production.filter((f) => {
    if (layerOf(f) !== 'algorithms') return false;
    const { external } = closure(f);
    return [...external.keys()].some((name) => name === 'koffi' || ioBuiltins.test(name));
  }),
);

interface Rule {
  readonly id: string;
  /** A reason when `imp` breaks the rule, else undefined. */
  check(imp: Import): string | undefined;
}

const rules: Rule[] = [
  {
    id: 'pure-no-io',
    check: ({ file, target }) => {
      if (!pureLayers.includes(layerOf(file))) return undefined;
      if (target.kind === 'builtin' && ioBuiltins.test(target.name)) {
        return `${layerOf(file)} does no I/O (no fs, net, http, child_process)`;
      }
      if (inLayer(target, 'adapters', 'api', 'services', 'worker', 'platform.ts')) {
        return `${layerOf(file)} must not depend on adapters, api, services, worker or platform.ts`;
      }
      return undefined;
    },
  },
  {
    id: 'services-imports',
    check: ({ file, target }) => {
      if (layerOf(file) !== 'services') return undefined;
      const allowed =
        inLayer(target, 'services', 'ports', 'domain', 'errors', 'runtimes', 'algorithms') ||
        (target.kind === 'package' && target.name === 'zod');
      if (!allowed) return 'services import only ports, domain, errors, runtimes, pure algorithms and zod';
      if (target.kind === 'src' && childOnly.has(target.name)) {
        return 'services import only the pure parts of algorithms (this module loads libxgboost or reads files)';
      }
      return undefined;
    },
  },
  {
    id: 'adapters-only-from-platform',
    check: ({ file, target }) =>
      inLayer(target, 'adapters') && layerOf(file) !== 'adapters' && file !== 'platform.ts'
        ? 'adapters are imported only by platform.ts (and tests)'
        : undefined,
  },
  {
    id: 'api-no-adapters-worker',
    check: ({ file, target }) =>
      layerOf(file) === 'api' && inLayer(target, 'adapters', 'worker', 'platform.ts')
        ? 'api must not import adapters, worker or platform.ts'
        : undefined,
  },
  {
    // "api calls services, never stores." The S3 API is the object store's own protocol, so
    // only the metadata store is meant here.
    id: 'api-no-metadata-store',
    check: ({ file, target }) =>
      layerOf(file) === 'api' && target.kind === 'src' && target.name === 'ports/metadata-store.ts'
        ? 'api calls services, never the metadata store'
        : undefined,
  },
  {
    id: 'sdk-client-only',
    check: ({ file, target }) => {
      if (layerOf(file) !== 'sdk') return undefined;
      const allowed =
        target.kind === 'builtin' ||
        (target.kind === 'package' && target.name.startsWith('@aws-sdk/')) ||
        inLayer(target, 'sdk');
      return allowed ? undefined : 'sdk imports only @aws-sdk/*, node builtins and other sdk files';
    },
  },
  {
    id: 'cli-through-sdk',
    check: ({ file, target }) =>
      layerOf(file) === 'cli' &&
      target.kind === 'src' &&
      !inLayer(target, 'cli', 'sdk', 'config', 'platform.ts')
        ? 'cli imports only sdk, config and (for serve) platform.ts from src'
        : undefined,
  },
  {
    id: 'platform-only-from-serve',
    check: ({ file, target }) =>
      target.kind === 'src' && target.name === 'platform.ts' && file !== 'cli/serve.ts'
        ? 'platform.ts (the composition root) is imported only by cli/serve.ts'
        : undefined,
  },
  {
    id: 'training-child-only',
    check: ({ file, target }) =>
      target.kind === 'src' &&
      childOnly.has(target.name) &&
      layerOf(file) !== 'algorithms' &&
      !file.startsWith('worker/children/') &&
      !file.startsWith('serving/workers/')
        ? 'this module loads libxgboost or reads job files: only job children and model workers (worker/children/, serving/workers/) import it'
        : undefined,
  },
  {
    id: 'optional-backends-lazy',
    check: ({ file, target, typeOnly, dynamic }) =>
      !['cli', 'sdk', 'testing'].includes(layerOf(file)) &&
      target.kind === 'package' &&
      optionalBackends.test(target.name) &&
      !typeOnly &&
      !dynamic
        ? 'optional backends are loaded lazily, with import() (or `import type`)'
        : undefined,
  },
  {
    id: 'no-test-code',
    check: ({ file, target }) =>
      layerOf(file) !== 'testing' &&
      (inLayer(target, 'testing') || (target.kind === 'package' && target.name === 'vitest'))
        ? 'production code must not import testing/ or vitest'
        : undefined,
  },
  {
    id: 'checkable',
    check: ({ file, target }) =>
      target.kind === 'computed' && layerOf(file) !== 'adapters'
        ? 'a computed import() cannot be checked; use a string literal'
        : undefined,
  },
];

interface Allowance {
  readonly rule: string;
  readonly file: string;
  /** The import's target: `node:fs`, a package name, or a src path (`ports/metadata-store.ts`). */
  readonly target: string;
}

/** Legitimate departures from a rule, each with its reason. */
const exceptions: readonly (Allowance & { readonly reason: string })[] = [
  {
    rule: 'pure-no-io',
    file: 'algorithms/xgboost/libxgboost.ts',
    target: 'node:fs',
    reason: 'FFI binding: probes the candidate libxgboost paths (existsSync) before koffi.load.',
  },
  {
    rule: 'pure-no-io',
    file: 'algorithms/xgboost/train.ts',
    target: 'node:fs',
    reason: 'training entry (runs in the training child): checks <mlRoot> paths.',
  },
  {
    rule: 'pure-no-io',
    file: 'algorithms/xgboost/train.ts',
    target: 'node:fs/promises',
    reason: 'training entry: writes <mlRoot>/model/xgboost-model (temp + rename) and output/failure.',
  },
  {
    rule: 'pure-no-io',
    file: 'algorithms/xgboost/job-config.ts',
    target: 'node:fs/promises',
    reason: 'training entry: reads <mlRoot>/input/config/*.json, the SageMaker container contract.',
  },
  {
    rule: 'pure-no-io',
    file: 'algorithms/xgboost/data.ts',
    target: 'node:fs/promises',
    reason: 'training entry: reads the channel files under <mlRoot>/input/data/<channel>.',
  },
  {
    rule: 'pure-no-io',
    file: 'algorithms/xgboost/checkpoints.ts',
    target: 'node:fs/promises',
    reason: "training entry: writes and prunes xgboost-checkpoint.N in checkpointconfig.json's LocalPath.",
  },
  {
    rule: 'pure-no-io',
    file: 'algorithms/xgboost/serving/load-model.ts',
    target: 'node:fs/promises',
    reason: "model worker entry: reads the model file from the instance's /opt/ml/model.",
  },
  {
    rule: 'checkable',
    file: 'serving/workers/node-script-server.ts',
    target: 'pathToFileURL(entry).href',
    reason:
      "script-mode model worker: imports the user's inference script, whose path is only known at run time.",
  },
];

/** Real layering mistakes in the current code, kept visible until they are fixed. */
const knownViolations: readonly (Allowance & { readonly todo: string })[] = [];

interface Violation extends Allowance {
  readonly message: string;
}

function findViolations(): Violation[] {
  const found: Violation[] = [];
  for (const imp of allImports) {
    for (const rule of rules) {
      const why = rule.check(imp);
      if (why) {
        const kind = imp.typeOnly ? 'imports type from' : 'imports';
        found.push({
          rule: rule.id,
          file: imp.file,
          target: imp.target.name,
          message: `src/${imp.file}:${imp.line} ${kind} '${imp.specifier}' [${rule.id}]: ${why}`,
        });
      }
    }
  }
  return found;
}

const matches = (a: Allowance, b: Allowance) =>
  a.rule === b.rule && a.file === b.file && a.target === b.target;

describe('import boundaries (architecture.md, dependency rules)', () => {
  const violations = findViolations();

  it('scans every source file and sees the imports (sanity)', () => {
    expect(production.length).toBeGreaterThan(50);
    // The composition root must be seen importing adapters, or the scanner is broken.
    const platform = scanned.get('platform.ts')!.imports;
    expect(platform.some((i) => inLayer(i.target, 'adapters'))).toBe(true);
    // Every relative import resolves to a file, so no rule is dodged by a path the scanner misreads.
    const unresolved = [...scanned.values()]
      .flatMap((s) => s.imports)
      .filter((i) => i.target.kind === 'src' && !existsSync(join(srcDir, i.target.name)))
      .map((i) => `src/${i.file}:${i.line} imports '${i.specifier}', which is not a file in src/`);
    expect(unresolved).toEqual([]);
  });

  it('the scanner reads multi-line, type-only, re-export and dynamic imports, not comments or strings', () => {
    const text = [
      "// import x from 'node:net';",
      "import type { A } from './a.js';",
      'import {',
      '  b,',
      "} from 'node:fs/promises';",
      "export * from '../ports/c.js';",
      'const s = "import y from \'node:http\'";',
      "const m = await import('@aws-sdk/client-s3');",
      'const n = await import(name);',
    ].join('\n');
    const seen = scan('services/example.ts', text).imports.map((i) => [
      i.line,
      i.target.kind,
      i.target.name,
      i.typeOnly,
    ]);
    expect(seen).toEqual([
      [2, 'src', 'services/a.ts', true],
      [3, 'builtin', 'node:fs/promises', false],
      [6, 'src', 'ports/c.ts', false],
      [8, 'package', '@aws-sdk/client-s3', false],
      [9, 'computed', 'name', false],
    ]);
  });

  it('no import breaks a rule (beyond the listed exceptions and known violations)', () => {
    const unexpected = violations
      .filter((v) => !exceptions.some((e) => matches(e, v)) && !knownViolations.some((k) => matches(k, v)))
      .map((v) => v.message);
    expect(unexpected).toEqual([]);
  });

  it('every exception and known violation still matches an import (remove stale entries)', () => {
    const stale = [...exceptions, ...knownViolations]
      .filter((a) => !violations.some((v) => matches(a, v)))
      .map((a) => `${a.rule}: src/${a.file} → ${a.target} no longer occurs`);
    expect(stale).toEqual([]);
  });

  it('services reach no I/O, even through the modules they import', () => {
    const problems: string[] = [];
    for (const file of production.filter((f) => layerOf(f) === 'services')) {
      const { reached, external } = closure(file);
      for (const [name, path] of external) {
        if (ioBuiltins.test(name) || ioPackages.test(name)) problems.push(path.join(' → '));
      }
      for (const [name, path] of reached) {
        if (['adapters', 'api', 'worker', 'platform.ts'].includes(layerOf(name)))
          problems.push(path.join(' → '));
      }
    }
    expect(problems.map((p) => `src/${p}`)).toEqual([]);
  });

  it('only config/ reads process.env', () => {
    // Exceptions: the training child has no config; it reads HOME to find a `pip install --user`
    // xgboost. A script-mode model server is a separate process whose contract is its
    // environment (SM_MODEL_DIR, SAGEMAKER_PROGRAM, …), as a SageMaker container's is.
    const allowed = new Set(['algorithms/xgboost/libxgboost.ts', 'serving/workers/node-script-server.ts']);
    const readers = production
      .filter((f) => layerOf(f) !== 'config' && !allowed.has(f))
      .flatMap((f) => scanned.get(f)!.envReads.map((line) => `src/${f}:${line} reads process.env`));
    expect(readers).toEqual([]);
    for (const f of allowed)
      expect(scanned.get(f)?.envReads.length, `${f} no longer reads process.env`).toBeGreaterThan(0);
  });
});
