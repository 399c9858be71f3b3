import { describe, expect, it } from 'vitest';
import { validateJobSettings } from './job-settings.ts';
import { isPublicAddress, webhookHostProblem } from './public-address.ts';

describe('isPublicAddress (issue 12, finding 8)', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '0.0.0.0',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.10',
    '169.254.169.254',
    '100.64.0.1',
    '198.18.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '[::1]',
    'fc00::1',
    'fd00:ec2::254',
    'fe80::1',
    'febf::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '::127.0.0.1',
    '64:ff9b::10.0.0.1',
    '2002:c0a8:0101::1',
    '2001:db8::1',
    'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '169.255.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('accepts %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('webhook URLs at save time', () => {
  const hook = (url: string) => ({
    webhooks: [{ id: 'ehr', url, secret: '0123456789abcdef' }],
  });

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'https://api.localhost/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/hook',
    'http://[fd00::1]/hook',
    'http://[::ffff:10.0.0.1]/hook',
    'http://intranet/hook',
    'https://printer.local/hook',
    'https://metadata.google.internal/computeMetadata/v1/',
    'http://2130706433/hook',
    'http://0x7f.1/hook',
  ])('refuses %s naming the field', (url) => {
    const result = validateJobSettings(hook(url));
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(/^escalation\.webhooks\[0\]\.url: must be a public/),
    ]);
  });

  it('accepts a public name or address, and a private one the operator allows', () => {
    expect(validateJobSettings(hook('https://ehr.example/hooks/needlecare')).ok).toBe(true);
    expect(validateJobSettings(hook('https://93.184.216.34/hook')).ok).toBe(true);
    expect(
      validateJobSettings(hook('http://127.0.0.1:8080/hook'), { allowHosts: ['127.0.0.1'] }).ok,
    ).toBe(true);
    expect(webhookHostProblem(new URL('http://LOCALHOST/x'), ['localhost'])).toBeNull();
  });
});
