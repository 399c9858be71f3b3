import { describe, expect, it } from 'vitest';
import { clinicClosedNotice } from './messages.ts';

describe('clinicClosedNotice', () => {
  const clinic = {
    name: 'Harbour Physio',
    timeZone: 'Europe/Madrid',
    emergencyNumber: '112',
    contactPhone: '+34 910 000 000',
  };
  it('says nothing when open', () => {
    expect(clinicClosedNotice(clinic, { open: true }, 'en')).toBeNull();
  });
  it('says plainly it is closed, when it opens and where to go', () => {
    const text = clinicClosedNotice(
      clinic,
      { open: false, opensAt: '2026-11-30T07:00:00.000Z' },
      'en',
    );
    expect(text).toContain('Harbour Physio is closed now');
    expect(text).toContain('08:00');
    expect(text).toContain('call 112');
    expect(text).toContain('urgent care');
  });
  it('uses the out-of-hours line in Spanish', () => {
    const text = clinicClosedNotice(clinic, { open: false }, 'es', '+34 900 123 456');
    expect(text).toContain('está cerrada ahora');
    expect(text).toContain('+34 900 123 456');
    expect(text).toContain('112');
  });
});
