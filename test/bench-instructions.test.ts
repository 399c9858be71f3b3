import { describe, expect, it } from 'vitest';
import { annotatedFunctions, dumpTotal } from '../bench/instructions.ts';

// Lines as callgrind_annotate 3.19 prints them (abridged from a dump of the bench's server).
const LISTING = `--------------------------------------------------------------------------------
Ir
--------------------------------------------------------------------------------
951,023,128 (100.0%)  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir                    file:function
--------------------------------------------------------------------------------
 43,483,500 ( 4.57%)  ???:sha256_block_data_order_avx2 [/usr/bin/node]
 31,798,341 ( 3.34%)  ???:v8::String::WriteUtf8(v8::Isolate*, char*, int, int*, int) const [/usr/bin/node]
  8,393,485 ( 0.88%)  ./math/../sysdeps/ieee754/dbl-64/e_fmod.c:__fmod_finite@GLIBC_2.15 [/usr/lib/x86_64-linux-gnu/libm.so.6]
  8,066,550 ( 0.85%)  ???:0x000000000d2f6b00 [???]
  4,235,668 ( 0.45%)  ???:Builtins_BaselineOutOfLinePrologue'2 [/usr/bin/node]
`;

describe('reading callgrind for the instructions bench', () => {
  it("takes a dump's total from its summary or totals line", () => {
    expect(dumpTotal('version: 1\ncmd: node\nevents: Ir\nsummary: 1404227906\n')).toBe(1404227906);
    expect(dumpTotal('events: Ir\ntotals: 42\n')).toBe(42);
    expect(() => dumpTotal('events: Ir\n')).toThrow(/summary/);
  });

  it('lists named functions with their instructions, without code compiled at run time', () => {
    expect(annotatedFunctions(LISTING)).toEqual([
      { instructions: 43_483_500, name: 'sha256_block_data_order_avx2' },
      {
        instructions: 31_798_341,
        name: 'v8::String::WriteUtf8(v8::Isolate*, char*, int, int*, int) const',
      },
      { instructions: 8_393_485, name: '__fmod_finite@GLIBC_2.15' },
      { instructions: 4_235_668, name: "Builtins_BaselineOutOfLinePrologue'2" },
    ]);
  });
});
