/**
 * The public emergency number by country (ISO 3166-1 alpha-2), for a clinic's default and for
 * the pages that know no clinic (an unknown link). A clinic's own setting always wins.
 * Sources: national regulators' published numbers; 112 is the EU-wide number (and is routed by
 * GSM phones in most other countries), so it is the fallback.
 */
const BY_COUNTRY: Readonly<Record<string, string>> = {
  GB: '999',
  IE: '112',
  US: '911',
  CA: '911',
  MX: '911',
  AU: '000',
  NZ: '111',
  IN: '112',
  JP: '119',
  CN: '120',
  BR: '192',
  AR: '107',
  CL: '131',
  CO: '123',
  ZA: '10177',
};

/** Fallback for a country not listed: the European and GSM emergency number. */
export const FALLBACK_EMERGENCY_NUMBER = '112';

/** The emergency number to call in `country` (112 across the EU and wherever not listed). */
export function emergencyNumberFor(country: string | undefined): string {
  if (country === undefined) return FALLBACK_EMERGENCY_NUMBER;
  return BY_COUNTRY[country.toUpperCase()] ?? FALLBACK_EMERGENCY_NUMBER;
}

/** The country of the commonest IANA time zones (for a clinic that gave none). */
const ZONE_COUNTRY: Readonly<Record<string, string>> = {
  'Europe/London': 'GB',
  'Europe/Belfast': 'GB',
  'Europe/Dublin': 'IE',
  'Europe/Madrid': 'ES',
  'Atlantic/Canary': 'ES',
  'Africa/Ceuta': 'ES',
  'Europe/Lisbon': 'PT',
  'Europe/Paris': 'FR',
  'Europe/Berlin': 'DE',
  'Europe/Rome': 'IT',
  'Europe/Amsterdam': 'NL',
  'Europe/Brussels': 'BE',
  'Australia/Sydney': 'AU',
  'Australia/Melbourne': 'AU',
  'Australia/Brisbane': 'AU',
  'Australia/Perth': 'AU',
  'Australia/Adelaide': 'AU',
  'Pacific/Auckland': 'NZ',
  'America/Toronto': 'CA',
  'America/Vancouver': 'CA',
  'America/Mexico_City': 'MX',
  'America/Buenos_Aires': 'AR',
  'America/Argentina/Buenos_Aires': 'AR',
  'America/Santiago': 'CL',
  'America/Bogota': 'CO',
  'America/Sao_Paulo': 'BR',
  'Asia/Tokyo': 'JP',
  'Asia/Kolkata': 'IN',
  'Africa/Johannesburg': 'ZA',
};

/**
 * The country a time zone most likely means: listed zones, then any `America/…` zone not listed
 * is taken as the US (the US and Canada share 911), any `Europe/…` as the EU (112).
 */
export function countryOfTimeZone(timeZone: string): string | undefined {
  const listed = ZONE_COUNTRY[timeZone];
  if (listed !== undefined) return listed;
  if (timeZone.startsWith('America/')) return 'US';
  return undefined;
}

/** The country in a language tag such as `en-GB` or `es-419`, if it names one. */
export function countryOfLanguageTag(tag: string): string | undefined {
  const region = tag
    .split(/[-_]/)
    .slice(1)
    .find((part) => /^[A-Za-z]{2}$/.test(part));
  return region?.toUpperCase();
}
