import { describe, expect, it } from 'vitest';
import { PATHS, productUrls, stopRemindersUrlOf } from './urls.ts';

describe('productUrls', () => {
  const cases: Array<[string, (u: ReturnType<typeof productUrls>) => string, string]> = [
    ['patient page', (u) => u.patientPage('tok'), 'https://care.example/p/tok'],
    ['stop link', (u) => u.stopReminders('tok'), 'https://care.example/p/tok/stop'],
    ['dashboard', (u) => u.dashboard(), 'https://care.example/app'],
    ['dashboard alert', (u) => u.dashboardAlert('a-1'), 'https://care.example/app#alert-a-1'],
    ['set password', (u) => u.setPassword('s3t'), 'https://care.example/set-password/s3t'],
    ['API docs', (u) => u.apiDocs(), 'https://care.example/api/docs'],
  ];
  it.each(cases)('%s', (_name, build, expected) => {
    expect(build(productUrls('https://care.example/'))).toBe(expected);
    expect(build(productUrls('https://care.example'))).toBe(expected);
  });

  it('keeps a path prefix of the public URL', () => {
    expect(productUrls('https://example.org/needlecare').patientPage('t')).toBe(
      'https://example.org/needlecare/p/t',
    );
  });

  it('gives the stop link of a patient page link with the same token', () => {
    const urls = productUrls('http://127.0.0.1:8080');
    expect(stopRemindersUrlOf(urls.patientPage('abc'))).toBe(urls.stopReminders('abc'));
  });

  it('escapes what does not belong in a path segment', () => {
    expect(PATHS.patientPage('a/b')).toBe('/p/a%2Fb');
  });
});
