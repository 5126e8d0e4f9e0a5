import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv-parser.js';
import { ClientError } from './errors.js';

const csv = (text: string, weights = false) => parseCsv(Buffer.from(text), 'train/a.csv', { weights });

describe('parseCsv', () => {
  it('reads label first, features row-major, empty cells as missing', () => {
    const p = csv('1,0.5,,3\r\n0, -2e-3 ,4,\n\n2,1.25,7,8');
    expect(p.features.rows).toBe(3);
    expect(p.features.cols).toBe(3);
    expect(Array.from(p.labels)).toEqual([1, 0, 2]);
    expect(Array.from(p.features.values)).toEqual([
      0.5,
      Number.NaN,
      3,
      Math.fround(-0.002),
      4,
      Number.NaN,
      1.25,
      7,
      8,
    ]);
  });

  it('parses every value as Number() would, then rounds to float32', () => {
    const texts = [
      '0.1',
      '12.47',
      '1e22',
      '123456789012345678',
      '4.9e-324',
      '-0',
      '.5',
      '7.',
      'nan',
      '-inf',
      '1E+3',
    ];
    const p = csv(texts.map((t) => `0,${t}`).join('\n'));
    expect(Array.from(p.features.values)).toEqual(
      texts.map((t) => Math.fround(Number(t.replace(/^-?inf$/, '$&inity').replace('inf', 'Inf')))),
    );
  });

  it('reads the weight from column 2 with csv_weights', () => {
    const p = csv('1,0.5,10\n0,2,20', true);
    expect(Array.from(p.weights!)).toEqual([0.5, 2]);
    expect(p.features.cols).toBe(1);
  });

  it('names the file and line of malformed rows', () => {
    expect(() => csv('1,2,3\n0,1\n')).toThrow(
      new ClientError('train/a.csv line 2: expected 3 columns (as on the first row), found 2'),
    );
    expect(() => csv('1,2,3\n0,1,2,4\n')).toThrow(/line 2: expected 3 columns .* found 4/);
    expect(() => csv('1,2\n1,abc\n')).toThrow(
      new ClientError("train/a.csv line 2, column 2: 'abc' is not a number"),
    );
    expect(() => csv('label,f1\n1,2\n')).toThrow(
      /line 1, column 1: 'label' is not a number \(SageMaker CSV has no header row\)/,
    );
    expect(() => csv('1,2\n,3\n')).toThrow(/line 2: the label \(column 1\) is missing/);
    expect(() => csv('1\n')).toThrow(/at least one feature column/);
    expect(() => csv('\n\n')).toThrow(/no data rows/);
  });
});
