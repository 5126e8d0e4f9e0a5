import { describe, expect, it } from 'vitest';
import { outputRecords, parseCsvLine, recordProcessor, toCsvLine } from './data-processing.js';

describe('batch transform DataProcessing', () => {
  it('reads and writes CSV lines with quoting', () => {
    expect(parseCsvLine('a,"b,c","d""e",')).toEqual(['a', 'b,c', 'd"e', '']);
    expect(toCsvLine(['a', 'b,c', 'd"e'])).toBe('a,"b,c","d""e"');
    expect(toCsvLine('0.5')).toBe('0.5');
  });

  it('filters CSV input, joins the prediction after the input row and filters the joined row', () => {
    const p = recordProcessor({
      inputFilter: '$[1:]',
      outputFilter: '$[0,-1]',
      joinInput: true,
      contentType: 'text/csv',
      accept: 'text/csv',
    });
    expect(p.perRecord).toBe(true);
    expect(p.filterInput('1,2.5,3')).toBe('2.5,3');
    expect(p.finish('1,2.5,3', '0.97', 'text/csv')).toBe('1,0.97');
  });

  it('joins JSON under SageMakerOutput, or wraps a non-object input', () => {
    const p = recordProcessor({
      inputFilter: '$.features',
      outputFilter: "$['id','SageMakerOutput']",
      joinInput: true,
      contentType: 'application/jsonlines',
    });
    expect(p.filterInput('{"id":7,"features":[1,2]}')).toBe('[1,2]');
    expect(p.finish('{"id":7,"features":[1,2]}', '{"score":0.5}', 'application/jsonlines')).toBe(
      '{"id":7,"SageMakerOutput":{"score":0.5}}',
    );
    const wrap = recordProcessor({ inputFilter: '$', outputFilter: '$', joinInput: true });
    expect(wrap.finish('[1,2]', '{"score":0.5}', 'application/json')).toBe(
      '{"SageMakerInput":[1,2],"SageMakerOutput":{"score":0.5}}',
    );
  });

  it('passes records through untouched without DataProcessing', () => {
    const p = recordProcessor({ inputFilter: '$', outputFilter: '$', joinInput: false });
    expect(p.perRecord).toBe(false);
  });

  it('splits a response into one output per record', () => {
    expect(outputRecords('0.1\n0.2\n', 2)).toEqual(['0.1', '0.2']);
    expect(outputRecords('{"predictions":[1]}', 1)).toEqual(['{"predictions":[1]}']);
    expect(outputRecords('0.1\n0.2\n0.3\n', 2)).toBeUndefined();
  });
});
