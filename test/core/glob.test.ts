import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { globToRegExp } from '../../core/glob.ts';

describe('globToRegExp', () => {
  it('globToRegExp keeps * inside one segment and lets ** cross segments', () => {
    expect(globToRegExp('out/*.onnx').test('out/model.onnx')).toBe(true);
    expect(globToRegExp('out/*.onnx').test('out/a/model.onnx')).toBe(false);
    expect(globToRegExp('out/**/*.onnx').test('out/model.onnx')).toBe(true);
    expect(globToRegExp('out/**/*.onnx').test('out/a/b/model.onnx')).toBe(true);
  });

  it('globToRegExp reads ?, [abc], [!abc] and {a,b}, and escapes the rest', () => {
    expect(globToRegExp('part-?.csv').test('part-7.csv')).toBe(true);
    expect(globToRegExp('part-[0-3].csv').test('part-2.csv')).toBe(true);
    expect(globToRegExp('part-[!0-3].csv').test('part-2.csv')).toBe(false);
    expect(globToRegExp('model.{onnx,json}').test('model.json')).toBe(true);
    expect(globToRegExp('model.{onnx,json}').test('model.pt')).toBe(false);
    expect(globToRegExp('a+b(1).csv').test('a+b(1).csv')).toBe(true);
    expect(globToRegExp('a.csv').test('abcsv')).toBe(false);
  });

  it('globToRegExp refuses an unclosed brace, naming the glob', () => {
    expect(() => globToRegExp('model.{onnx')).toThrow(UsageError);
    expect(() => globToRegExp('model.{onnx')).toThrow(/'model\.\{onnx'/);
  });
});
