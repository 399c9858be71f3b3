import { describe, expect, it } from 'vitest';
import { cleanOptionalText, cleanText } from './clean-text.ts';

describe('cleanText', () => {
  it.each([
    ['a NUL in a note', 'chest\u0000 pain', { max: 100, multiline: true }, 'chest pain'],
    ['other controls', '\u0007bell\u001b[31m\u009bx', { max: 100, multiline: true }, 'bell[31mx'],
    [
      'line breaks kept in a note',
      ' line 1\r\nline 2\rline 3 ',
      { max: 100, multiline: true },
      'line 1\nline 2\nline 3',
    ],
    ['a name is one line', 'Ana\nMaría\t\u0000López', { max: 100 }, 'Ana María López'],
    ['a lone surrogate', 'x\uD800y', { max: 100 }, 'x\uFFFDy'],
    ['NFC', 'Jose\u0301', { max: 100 }, 'José'],
    ['cut, not refused', 'abcdef', { max: 3 }, 'abc'],
    ['cut by code point, not by half an emoji', '😀😀😀', { max: 2 }, '😀😀'],
  ])('%s', (_what, input, options, expected) => {
    expect(cleanText(input, options)).toBe(expected);
  });

  it('leaves nothing a database refuses, whatever comes in', () => {
    let all = '';
    for (let c = 0; c < 0x110; c++) all += String.fromCharCode(c);
    all += '\uDC00\uD83D';
    const out = cleanText(all, { max: 10_000, multiline: true });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
    expect(out).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
    expect(out).not.toMatch(
      /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/,
    );
  });

  it('optional text: nothing left is undefined', () => {
    expect(cleanOptionalText('  \u0000 ', { max: 10 })).toBeUndefined();
    expect(cleanOptionalText(undefined, { max: 10 })).toBeUndefined();
    expect(cleanOptionalText(' ok ', { max: 10 })).toBe('ok');
  });
});
