import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * Decision 1446: on the check-in's path (the door, its services, the store), no object literal
 * starts with a spread and goes on with more properties (`{ ...a, b }`, `{ ...a, ...b }`). On
 * Node 20's V8, such a copy survives young-generation collections until the next full one,
 * and so does everything it points to. Write the object out, or `Object.assign` the extra
 * properties onto a fresh or owned object.
 */
const CHECK_IN_PATH = [
  'api/audit.ts',
  'api/patient-link-limits.ts',
  'api/routes/patient-link/patient-link.routes.ts',
  'clinical/triage.ts',
  'services/audit.ts',
  'services/links.ts',
  'services/patient-limits.ts',
  'services/patient-link.ts',
  'services/rate-limiter.ts',
  'services/submit-check-in.ts',
  'store/alerts.repository.ts',
  'store/audit.repository.ts',
  'store/batched-reads.ts',
  'store/built-once.ts',
  'store/check-in-reads.ts',
  'store/checkins.repository.ts',
  'store/codec.ts',
  'store/db.ts',
  'store/group-commit.ts',
  'store/idempotency.repository.ts',
  'store/ids.ts',
  'store/outbox.repository.ts',
  'store/pg-prepared.ts',
  'store/sessions.repository.ts',
];

/** The text without comments, lines kept (roughly: enough for this check's source files). */
function withoutComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ''))
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const CLOSING: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Each object literal that starts with a spread and has more after it, as its line number. */
function spreadCopiesIn(source: string): number[] {
  const text = withoutComments(source);
  const found: number[] = [];
  const opening = /\{\s*\.\.\./g;
  for (let match = opening.exec(text); match !== null; match = opening.exec(text)) {
    // Walk the spread's expression to the first comma or brace at its own depth.
    const open: string[] = [];
    let i = match.index + match[0].length;
    let quote: string | undefined;
    for (; i < text.length; i += 1) {
      const c = text[i] as string;
      if (quote !== undefined) {
        if (c === '\\') i += 1;
        else if (c === quote) quote = undefined;
      } else if (c === "'" || c === '"' || c === '`') quote = c;
      else if (c in CLOSING) open.push(CLOSING[c] as string);
      else if (open.length > 0 && c === open.at(-1)) open.pop();
      else if (open.length === 0 && (c === ',' || c === '}')) break;
    }
    const rest = text.slice(i).match(/^,\s*(\S)/);
    if (rest !== null && rest[1] !== '}') found.push(text.slice(0, match.index).split('\n').length);
  }
  return found;
}

describe('object literals on the check-in path (decision 1446)', () => {
  it('finds a spread copy with more properties, and nothing else', () => {
    expect(spreadCopiesIn('const a = { ...b, c: 1 };')).toEqual([1]);
    expect(spreadCopiesIn('const a = {\n  ...f(x, y),\n  ...g,\n};')).toEqual([1]);
    expect(spreadCopiesIn('return { ...b };')).toEqual([]);
    expect(spreadCopiesIn('return { ...b, };')).toEqual([]);
    expect(spreadCopiesIn('return { c: 1, ...b };')).toEqual([]);
    expect(spreadCopiesIn('const { a, ...rest } = b;')).toEqual([]);
    expect(spreadCopiesIn('const a = [...b, c];')).toEqual([]);
    expect(spreadCopiesIn('// { ...b, c }\n/* { ...b, c } */ const a = 1;')).toEqual([]);
    expect(spreadCopiesIn("x({ ...f('a,b'), c })")).toEqual([1]);
  });

  it.each(CHECK_IN_PATH)('%s has none', (file) => {
    const source = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
    expect(spreadCopiesIn(source)).toEqual([]);
  });
});
