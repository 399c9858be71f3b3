import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The public worked cases of the triage specification, copied into the project. */
export const VIGNETTES_PATH = fileURLToPath(new URL('./fixtures/vignettes.json', import.meta.url));

export interface Vignette {
  readonly id: string;
  readonly narrative: string;
  readonly session: { sites: { muscle: string; side?: 'left' | 'right' | 'midline' }[] };
  readonly reports: {
    hoursAfter: number;
    soreness?: number | null;
    symptoms: string[];
  }[];
  readonly expected: { disposition: string; rules: string[] };
}

export function readVignettes(): Vignette[] {
  return JSON.parse(readFileSync(VIGNETTES_PATH, 'utf8')) as Vignette[];
}
