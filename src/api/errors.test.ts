import { describe, expect, it } from 'vitest';
import { AppError, ERROR_STATUS } from '../services/errors.ts';
import { fieldIssuesFromAjv, jsonPointerToField, problemOf, toAppError } from './errors.ts';

describe('errors', () => {
  it.each([
    ['', ''],
    ['/soreness', 'soreness'],
    ['/sites/1/muscle', 'sites[1].muscle'],
    ['/coverage/mon/0/1', 'coverage.mon[0][1]'],
    ['/a~1b/c~0d', 'a/b.c~d'],
  ])('json pointer %s → %s', (pointer, field) => {
    expect(jsonPointerToField(pointer)).toBe(field);
  });

  it('names the field for required, unknown and enum issues', () => {
    const issues = fieldIssuesFromAjv(
      [
        {
          keyword: 'required',
          instancePath: '/patient',
          params: { missingProperty: 'displayName' },
        },
        {
          keyword: 'additionalProperties',
          instancePath: '',
          params: { additionalProperty: 'mood' },
        },
        { keyword: 'enum', instancePath: '/symptoms/0', params: { allowedValues: ['a', 'b'] } },
        { keyword: 'pattern', instancePath: '/limit', params: {}, message: 'must match pattern' },
      ],
      'body',
    );
    expect(issues).toEqual([
      { field: 'patient.displayName', message: 'is required' },
      { field: 'mood', message: 'unknown field' },
      { field: 'symptoms[0]', message: 'must be one of a, b' },
      { field: 'limit', message: 'must match pattern' },
    ]);
    expect(
      fieldIssuesFromAjv(
        [
          {
            keyword: 'additionalProperties',
            instancePath: '',
            params: { additionalProperty: 'x' },
          },
        ],
        'querystring',
      ),
    ).toEqual([{ field: 'querystring.x', message: 'unknown field' }]);
  });

  it('maps every code to its status and hides the cause of unexpected errors', () => {
    expect(new AppError('link_gone', 'x').status).toBe(410);
    expect(new AppError('idempotency_key_reused', 'x').status).toBe(422);
    const internal = toAppError(new Error('connection refused at 10.0.0.3'));
    expect(internal.status).toBe(500);
    expect(internal.detail).not.toContain('10.0.0.3');
    const problem = problemOf(internal, 'req-1');
    expect(problem).toMatchObject({
      type: 'https://needlecare.dev/problems/internal',
      status: 500,
      code: 'internal',
      instance: 'urn:needlecare:request:req-1',
    });
    for (const status of Object.values(ERROR_STATUS))
      expect(status >= 400 && status < 600).toBe(true);
  });

  it('maps a database that is away to 503 with Retry-After, by code, hiding the address', () => {
    const refused = toAppError(
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.3:5432'), { code: 'ECONNREFUSED' }),
    );
    expect(refused).toMatchObject({ code: 'unavailable', status: 503, retryAfter: 5 });
    expect(refused.detail).not.toContain('10.0.0.3');
    const shutdown = toAppError(
      Object.assign(new Error('terminating connection due to administrator command'), {
        code: '57P01',
      }),
    );
    expect(shutdown.status).toBe(503);
    expect(toAppError(Object.assign(new Error('locked'), { code: 'SQLITE_BUSY' })).status).toBe(
      503,
    );
  });

  it.each([
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415],
  ])('maps %s to %i', (code, status) => {
    expect(toAppError(Object.assign(new Error('x'), { code, statusCode: 400 })).status).toBe(
      status,
    );
  });
});

describe('error logging', () => {
  it('drops driver fields that may hold patient data', async () => {
    const { serializeError } = await import('./logger.ts');
    const error = Object.assign(
      new Error('duplicate key value violates unique constraint "staff_users_email_key"'),
      {
        code: '23505',
        detail: 'Key (email)=(ada@example.test) already exists.',
      },
    );
    const logged = JSON.stringify(serializeError(error));
    expect(logged).toContain('23505');
    expect(logged).not.toContain('ada@example.test');
  });
});
