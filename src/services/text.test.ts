import { describe, expect, it } from 'vitest';
import { checkName } from './text.ts';

describe('checkName (issue 12, finding 6)', () => {
  it.each([
    ['  Rosa   Quintana ', 'Rosa Quintana'],
    ['José Ñúñez-O’Brien', 'José Ñúñez-O’Brien'],
    ['أحمد', 'أحمد'],
    ['李小龍', '李小龍'],
  ])('accepts %j as %j', (input, value) => {
    expect(checkName(input, { field: 'displayName' })).toEqual({ ok: true, value });
  });

  it.each([
    ['   ', 'empty or only spaces'],
    ['\u00a0\u2003', 'empty or only spaces'],
    ['Rosa\r\nBcc: victim@example.com', 'one line'],
    ['Rosa\nQuintana', 'one line'],
    ['Rosa\u0000', 'control characters'],
    ['Rosa\u0007', 'control characters'],
    ['Rosa\u0085', 'control characters'],
    ['Rosa\u202eanitniuQ', 'text-direction'],
    ['\u2066Rosa\u2069', 'text-direction'],
    ['Ro\u200bsa', 'invisible'],
    ['x'.repeat(201), 'at most 200'],
    [42, 'must be text'],
  ])('refuses %j naming the field', (input, message) => {
    const r = checkName(input, { field: 'patient.displayName' });
    expect(r).toMatchObject({ ok: false, field: 'patient.displayName' });
    expect(r.ok ? '' : r.message).toContain(message);
  });
});
