import { describe, expect, it } from 'vitest';
import { applyJsonPath, isIdentityPath, JsonPathError, parseJsonPath } from './jsonpath.js';

const apply = (expr: string, value: unknown) => applyJsonPath(parseJsonPath(expr), value);
const row = ['id7', '1.5', '16', '14', '23', 'label'];

describe('JSONPath subset of batch transform DataProcessing', () => {
  it('$ (and the empty filter) select the whole record', () => {
    expect(apply('$', row)).toEqual(row);
    expect(apply('', { a: 1 })).toEqual({ a: 1 });
    expect(isIdentityPath(parseJsonPath('$'))).toBe(true);
    expect(isIdentityPath(parseJsonPath('$[0]'))).toBe(false);
  });

  it('indexes, negative indexes and index lists select CSV columns', () => {
    expect(apply('$[0]', row)).toBe('id7');
    expect(apply('$[-1]', row)).toBe('label');
    expect(apply('$[1,3,5]', row)).toEqual(['1.5', '14', 'label']);
    expect(apply('$[0,-1]', row)).toEqual(['id7', 'label']);
  });

  it('slices include their end index, as SageMaker documents', () => {
    expect(apply('$[1:]', row)).toEqual(['1.5', '16', '14', '23', 'label']);
    expect(apply('$[:2]', row)).toEqual(['id7', '1.5', '16']);
    expect(apply('$[1:4]', row)).toEqual(['1.5', '16', '14', '23']);
    expect(apply('$[-2:]', row)).toEqual(['23', 'label']);
    expect(apply('$[0,4:]', row)).toEqual(['id7', '23', 'label']);
    // Clamped, never an error.
    expect(apply('$[3:100]', row)).toEqual(['14', '23', 'label']);
    expect(apply('$[10:]', row)).toEqual([]);
  });

  it('names select members; a list of names keeps the object shape', () => {
    const record = { id: 1, features: [1, 2, 3, 4], SageMakerOutput: { score: 0.4 } };
    expect(apply('$.features', record)).toEqual([1, 2, 3, 4]);
    expect(apply("$['features']", record)).toEqual([1, 2, 3, 4]);
    expect(apply('$["id"]', record)).toBe(1);
    expect(apply('$.SageMakerOutput.score', record)).toBe(0.4);
    expect(apply("$['id','SageMakerOutput']", record)).toEqual({ id: 1, SageMakerOutput: { score: 0.4 } });
    expect(apply("$['id', 'missing']", record)).toEqual({ id: 1 });
    expect(apply('$.features[1:2]', record)).toEqual([2, 3]);
    expect(apply('$.features[-1]', record)).toBe(4);
  });

  it('wildcards select every element or member, and later steps apply to each', () => {
    expect(apply('$.*', { a: 1, b: 2 })).toEqual([1, 2]);
    expect(apply('$[*]', [1, 2])).toEqual([1, 2]);
    expect(apply('$[*].x', [{ x: 1 }, { x: 2 }])).toEqual([1, 2]);
  });

  it('rejects expressions outside the subset with a reason', () => {
    for (const bad of [
      'features',
      '$..a',
      '$[?(@.a)]',
      '$[1:2:3]',
      '$[a]',
      '$[',
      '$.',
      '$[]',
      '$[[0]]',
      '$x',
    ]) {
      expect(() => parseJsonPath(bad), bad).toThrow(JsonPathError);
    }
    expect(() => parseJsonPath('$..a')).toThrow(/recursive descent/);
  });

  it('reports selections that do not fit the record', () => {
    expect(() => apply('$[6]', row)).toThrow(/index 6 is outside the 6 elements/);
    expect(() => apply('$[-7]', row)).toThrow(JsonPathError);
    expect(() => apply('$.a', row)).toThrow(/no member 'a' in an array/);
    expect(() => apply('$[0]', { a: 1 })).toThrow(/indexes select from an array, not object/);
    expect(() => apply('$.b', { a: 1 })).toThrow(/no member 'b'/);
  });
});
