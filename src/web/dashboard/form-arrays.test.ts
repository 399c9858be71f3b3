import { describe, expect, it } from 'vitest';
import { fields } from './context.ts';
import { parseSites } from './routes/sessions.routes.ts';

describe('dashboard form arrays (issue 12, finding 6)', () => {
  it('reads a repeated field under name, name[] and name[0], never dropping one', () => {
    expect(
      fields(
        { languages: 'en', 'languages[]': ['es'], 'languages[1]': 'fr', languagesX: 'no' },
        'languages',
      ),
    ).toEqual(['en', 'es', 'fr']);
  });

  it('a thoracic site sent as site[] is recorded with the others', () => {
    const { sites } = parseSites({
      site: 'deltoid:left',
      'site[]': ['upper-trapezius:left', 'upper-trapezius:right'],
    });
    expect(sites.map((s) => `${s.muscle}:${s.side}`)).toEqual([
      'deltoid:left',
      'upper-trapezius:left',
      'upper-trapezius:right',
    ]);
  });
});
