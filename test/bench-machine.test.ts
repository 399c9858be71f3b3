import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { describeMachine, machineLine } from '../bench/machine.ts';

/**
 * The bench prints which kind of machine it ran on (decision 1488): the same code measured on
 * two kinds of this machine class differs by more than the changes the bench judges.
 */
describe('machineLine', () => {
  const cpuinfo = (model: string, flags: string) =>
    `processor\t: 0\nvendor_id\t: x\nmodel name\t: ${model}\nflags\t\t: ${flags}\n\nprocessor\t: 1\nmodel name\t: ${model}\nflags\t\t: ${flags}\n`;

  it('names a kernel that switches page tables on every call, and a CPU without PCID', () => {
    expect(
      machineLine({
        cpuinfo: cpuinfo('AMD EPYC', 'fpu sse2 avx2 sha_ni'),
        meltdown: 'Mitigation: PTI\n',
        cpuidle: 'none\n',
        kernel: '6.18.44-fc',
      }),
    ).toBe('AMD EPYC · kernel 6.18.44-fc · Meltdown: Mitigation: PTI · PCID: no · cpuidle: none');
  });

  it('tells PCID from a flag that only contains its letters', () => {
    const line = machineLine({
      cpuinfo: cpuinfo('Intel(R) Xeon(R) Processor', 'fpu invpcid pcid'),
      meltdown: 'Not affected',
      cpuidle: 'haltpoll',
      kernel: '6.1',
    });
    expect(line).toContain('PCID: yes');
    expect(line).toContain('Meltdown: Not affected');
    expect(machineLine({ cpuinfo: cpuinfo('X', 'fpu invpcid'), kernel: '6.1' })).toContain(
      'PCID: no',
    );
  });

  it('says what it could not read instead of guessing', () => {
    expect(machineLine({ kernel: '23.0.0' })).toBe(
      'CPU unknown · kernel 23.0.0 · Meltdown: unknown · PCID: unknown · cpuidle: unknown',
    );
  });
});

describe('describeMachine', () => {
  it.runIf(process.platform === 'linux')('reads this machine: its CPU model and kernel', () => {
    const line = describeMachine();
    expect(line).toContain(` · kernel ${release()} · Meltdown: `);
    // x86 lists `model name` and `flags`; other CPUs name their parts otherwise.
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim();
    expect(line.startsWith(`${model ?? 'CPU unknown'} · `)).toBe(true);
    const hasFlags = /^flags\s*:/m.test(cpuinfo);
    expect(line).toMatch(hasFlags ? / · PCID: (yes|no) · / : / · PCID: unknown · /);
  });
});
