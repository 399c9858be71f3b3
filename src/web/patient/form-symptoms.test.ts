import { describe, expect, it } from 'vitest';
import { formSymptoms } from './form-symptoms.ts';

describe('formSymptoms (issue 12, finding 6)', () => {
  it('reads symptoms under every array spelling, merged in order', () => {
    expect(
      formSymptoms({
        symptoms: 'bruising',
        'symptoms[]': ['chest_pain', 'fever'],
        'symptoms[0]': 'dizziness',
        soreness: '3',
      }),
    ).toEqual({ symptoms: ['bruising', 'chest_pain', 'fever', 'dizziness'], stray: [] });
  });

  it('reports a field the form does not have that names symptoms or carries a symptom code', () => {
    expect(
      formSymptoms({ symptom_list: 'x', extra: 'chest_pain', note: 'chest_pain', lang: 'es' }),
    ).toEqual({ symptoms: [], stray: ['symptom_list', 'extra'] });
  });
});
