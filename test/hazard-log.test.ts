/**
 * The hazard log (docs/safety/hazard-log.md) names the tests that prove each control. This
 * test fails when a named test file or test title no longer exists, so the safety case cannot
 * drift from the code without someone editing it on purpose.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const LOG = 'docs/safety/hazard-log.md';

interface TestReference {
  readonly hazard: string;
  readonly file: string;
  readonly title: string;
}

/** Every `` - `file.test.ts` :: `title` `` line, with the hazard heading it sits under. */
function parseReferences(markdown: string): TestReference[] {
  const out: TestReference[] = [];
  let hazard = '';
  for (const line of markdown.split('\n')) {
    const heading = /^## (H\d+)\b/.exec(line);
    if (heading?.[1] !== undefined) hazard = heading[1];
    const ref = /^- `([^`]+\.test\.ts)` :: `([^`]+)`\s*$/.exec(line);
    if (ref?.[1] !== undefined && ref[2] !== undefined)
      out.push({ hazard, file: ref[1], title: ref[2] });
  }
  return out;
}

/** The titles given to `it(…)`, `test(…)` and `describe(…)` in a test file's source. */
function testTitles(source: string): Set<string> {
  const titles = new Set<string>();
  const call = /\b(?:it|test|describe)(?:\.each\([\s\S]*?\))?\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;
  for (const m of source.matchAll(call)) {
    const raw = m[2];
    if (raw !== undefined) titles.add(raw.replace(/\\(['"`\\])/g, '$1'));
  }
  return titles;
}

const markdown = readFileSync(`${ROOT}${LOG}`, 'utf8');
const references = parseReferences(markdown);

describe('hazard log', () => {
  it('names tests for the controls of every hazard in its table', () => {
    const rated = [...markdown.matchAll(/^\| (H\d+) \|/gm)].map((m) => m[1]);
    expect(rated.length).toBeGreaterThanOrEqual(10);
    for (const id of rated)
      expect(
        references.some((r) => r.hazard === id),
        `${id} has no named test`,
      ).toBe(true);
  });

  it.each(references.map((r) => [`${r.hazard} ${r.file} :: ${r.title}`, r] as const))(
    '%s exists',
    (_name, ref) => {
      const path = `${ROOT}${ref.file}`;
      expect(existsSync(path), `${ref.file} is missing`).toBe(true);
      expect([...testTitles(readFileSync(path, 'utf8'))]).toContain(ref.title);
    },
  );

  it('notices a renamed test (the check itself works)', () => {
    const source = "it('keeps the alert open', () => {});\nit(\"a link's holder\", () => {});";
    expect(testTitles(source).has('keeps the alert open')).toBe(true);
    expect(testTitles(source).has("a link's holder")).toBe(true);
    expect(testTitles(source).has('keeps the alert closed')).toBe(false);
    expect(parseReferences('## H9 — x\n- `a.test.ts` :: `some title`\n- not a reference')).toEqual([
      { hazard: 'H9', file: 'a.test.ts', title: 'some title' },
    ]);
  });
});
