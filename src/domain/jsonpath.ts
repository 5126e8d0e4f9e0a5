/**
 * The JSONPath subset of SageMaker batch transform's DataProcessing (InputFilter, OutputFilter):
 * `$`; child names `.name`, `['name']` and name lists `['a','b']` (no nesting inside brackets);
 * the wildcard `*` (`.*`, `[*]`); indexes `[1]`, `[-1]`, index lists `[1,3,5]`; slices `[2:5]`,
 * `[:5]`, `[2:]`, also inside lists (`[0,5:]`). CSV rows are JSON arrays of their fields.
 *
 * Two SageMaker readings differ from general JSONPath and are kept on purpose:
 * - slices include their end index, as the SageMaker guide documents (`$[1:4]` = the 2nd to the
 *   5th column), unlike Python's slices;
 * - a list of names on an object keeps the object shape (`$['id','SageMakerOutput']` on the joined
 *   record gives `{"id": …, "SageMakerOutput": …}`), the output record SageMaker writes.
 * An explicit index outside the array is an error, as SageMaker reports one; slices are clamped.
 */

type IndexSelector = { readonly kind: 'index'; readonly index: number };
type SliceSelector = { readonly kind: 'slice'; readonly start?: number; readonly end?: number };

/** One step after `$`. */
export type JsonPathStep =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'names'; readonly names: readonly string[] }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'indexes'; readonly selectors: readonly (IndexSelector | SliceSelector)[] };

/** A parsed expression: its text and steps. */
export interface JsonPath {
  readonly source: string;
  readonly steps: readonly JsonPathStep[];
}

/** An expression outside the subset, or one that does not fit the data it is applied to. */
export class JsonPathError extends Error {
  override readonly name = 'JsonPathError';
}

const namePattern = /^[A-Za-z_$][\w$-]*/;
const integerPattern = /^-?\d+$/;

function parseInteger(text: string, source: string): number {
  const t = text.trim();
  if (!integerPattern.test(t)) {
    throw new JsonPathError(`'${source}': '${t}' is not an integer index`);
  }
  return Number(t);
}

function parseQuoted(body: string, source: string): string[] {
  const names: string[] = [];
  let rest = body.trim();
  for (;;) {
    const m = /^(['"])((?:(?!\1)[^\\]|\\.)*)\1\s*/.exec(rest);
    if (!m) throw new JsonPathError(`'${source}': expected a quoted name in [${body}]`);
    names.push(m[2]!.replace(/\\(.)/g, '$1'));
    rest = rest.slice(m[0].length);
    if (rest === '') return names;
    if (!rest.startsWith(',')) throw new JsonPathError(`'${source}': expected ',' in [${body}]`);
    rest = rest.slice(1).trimStart();
  }
}

function parseBracket(body: string, source: string): JsonPathStep {
  const trimmed = body.trim();
  if (trimmed === '*') return { kind: 'wildcard' };
  if (trimmed.startsWith("'") || trimmed.startsWith('"')) {
    const names = parseQuoted(trimmed, source);
    return names.length === 1 ? { kind: 'name', name: names[0]! } : { kind: 'names', names };
  }
  if (trimmed === '') throw new JsonPathError(`'${source}': empty brackets`);
  const selectors = trimmed.split(',').map((part): IndexSelector | SliceSelector => {
    const colon = part.indexOf(':');
    if (colon < 0) return { kind: 'index', index: parseInteger(part, source) };
    const [from, to, step] = part.split(':');
    if (step !== undefined) throw new JsonPathError(`'${source}': slice steps are not supported`);
    const start = from!.trim() === '' ? undefined : parseInteger(from!, source);
    const end = to!.trim() === '' ? undefined : parseInteger(to!, source);
    return {
      kind: 'slice',
      ...(start === undefined ? {} : { start }),
      ...(end === undefined ? {} : { end }),
    };
  });
  return { kind: 'indexes', selectors };
}

/** Parses an expression of the subset; throws JsonPathError saying what is wrong. An empty one is `$`. */
export function parseJsonPath(expression: string): JsonPath {
  const source = expression.trim() === '' ? '$' : expression.trim();
  if (!source.startsWith('$')) throw new JsonPathError(`'${source}' must start with '$'`);
  const steps: JsonPathStep[] = [];
  let rest = source.slice(1);
  while (rest !== '') {
    if (rest.startsWith('..')) {
      throw new JsonPathError(`'${source}': recursive descent (..) is not supported`);
    }
    if (rest.startsWith('.*')) {
      steps.push({ kind: 'wildcard' });
      rest = rest.slice(2);
    } else if (rest.startsWith('.')) {
      const m = namePattern.exec(rest.slice(1));
      if (!m) throw new JsonPathError(`'${source}': expected a name after '.'`);
      steps.push({ kind: 'name', name: m[0] });
      rest = rest.slice(1 + m[0].length);
    } else if (rest.startsWith('[')) {
      const close = closingBracket(rest, source);
      const body = rest.slice(1, close);
      if (/^\s*\?|^\s*\(/.test(body)) {
        throw new JsonPathError(`'${source}': filter and script expressions are not supported`);
      }
      steps.push(parseBracket(body, source));
      rest = rest.slice(close + 1);
    } else {
      throw new JsonPathError(`'${source}': unexpected '${rest[0]}'`);
    }
  }
  return { source, steps };
}

/** The index of the `]` closing the bracket at 0, skipping quoted names. */
function closingBracket(text: string, source: string): number {
  let quote: string | undefined;
  for (let i = 1; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '[') throw new JsonPathError(`'${source}': nested brackets are not supported`);
    else if (ch === ']') return i;
  }
  throw new JsonPathError(`'${source}': missing ']'`);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const describe = (v: unknown) => (Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v);

function select(step: JsonPathStep, value: unknown, source: string): unknown[] {
  switch (step.kind) {
    case 'name': {
      if (!isObject(value) || !Object.hasOwn(value, step.name)) {
        throw new JsonPathError(
          `'${source}': no member '${step.name}' in ${isObject(value) ? 'the object' : describe(value)}`,
        );
      }
      return [value[step.name]];
    }
    case 'names': {
      if (!isObject(value))
        throw new JsonPathError(`'${source}': names select from an object, not ${describe(value)}`);
      const picked: Record<string, unknown> = {};
      for (const n of step.names) if (Object.hasOwn(value, n)) picked[n] = value[n];
      return [picked];
    }
    case 'wildcard':
      if (Array.isArray(value)) return value;
      if (isObject(value)) return Object.values(value);
      throw new JsonPathError(`'${source}': '*' selects from an array or object, not ${describe(value)}`);
    case 'indexes': {
      if (!Array.isArray(value)) {
        throw new JsonPathError(`'${source}': indexes select from an array, not ${describe(value)}`);
      }
      const n = value.length;
      const out: unknown[] = [];
      for (const s of step.selectors) {
        if (s.kind === 'index') {
          const i = s.index < 0 ? n + s.index : s.index;
          if (i < 0 || i >= n) {
            throw new JsonPathError(`'${source}': index ${s.index} is outside the ${n} elements`);
          }
          out.push(value[i]);
          continue;
        }
        const from = Math.max(0, s.start === undefined ? 0 : s.start < 0 ? n + s.start : s.start);
        const to = Math.min(n - 1, s.end === undefined ? n - 1 : s.end < 0 ? n + s.end : s.end);
        for (let i = from; i <= to; i++) out.push(value[i]);
      }
      return out;
    }
  }
}

/** Whether a step can select several values (its result is then a list). */
const selectsMany = (step: JsonPathStep) =>
  step.kind === 'wildcard' ||
  (step.kind === 'indexes' && (step.selectors.length > 1 || step.selectors[0]?.kind === 'slice'));

/**
 * Applies a parsed expression. A path whose steps each select one value returns that value;
 * a path with a wildcard, list or slice returns the list of what it selected.
 */
export function applyJsonPath(path: JsonPath, value: unknown): unknown {
  let nodes: unknown[] = [value];
  let many = false;
  for (const step of path.steps) {
    nodes = nodes.flatMap((node) => select(step, node, path.source));
    many ||= selectsMany(step);
  }
  return many ? nodes : nodes[0];
}

/** Whether the expression selects everything (`$`): the filter can be skipped. */
export const isIdentityPath = (path: JsonPath): boolean => path.steps.length === 0;
