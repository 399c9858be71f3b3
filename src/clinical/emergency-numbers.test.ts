import { describe, expect, it } from 'vitest';
import {
  countryOfLanguageTag,
  countryOfTimeZone,
  emergencyNumberFor,
} from './emergency-numbers.ts';

describe('emergency numbers', () => {
  it.each([
    ['ES', '112'],
    ['FR', '112'],
    ['GB', '999'],
    ['us', '911'],
    ['CA', '911'],
    ['AU', '000'],
    ['NZ', '111'],
    [undefined, '112'],
  ])('%s → %s', (country, number) => {
    expect(emergencyNumberFor(country)).toBe(number);
  });
  it.each([
    ['Europe/Madrid', 'ES', '112'],
    ['Europe/London', 'GB', '999'],
    ['America/Chicago', 'US', '911'],
    ['America/Toronto', 'CA', '911'],
    ['Australia/Sydney', 'AU', '000'],
    ['Europe/Vilnius', undefined, '112'],
  ])('time zone %s → %s → %s', (zone, country, number) => {
    expect(countryOfTimeZone(zone)).toBe(country);
    expect(emergencyNumberFor(countryOfTimeZone(zone))).toBe(number);
  });
  it.each([
    ['en-GB', 'GB'],
    ['es-ES', 'ES'],
    ['en', undefined],
    ['es-419', undefined],
    ['zh-Hant-TW', 'TW'],
  ])('language tag %s → %s', (tag, country) => {
    expect(countryOfLanguageTag(tag)).toBe(country);
  });
});
