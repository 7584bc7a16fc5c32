// The EDSL objects EDSL itself wrote (releases 1.0.4–1.0.8), kept in test/fixtures/edsl (see its README).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const EDSL_FIXTURES = join(__dirname, '../../fixtures/edsl');

export interface EdslFixture {
  release: string;
  className: string;
  dict: Record<string, unknown>;
}

export function edslFixtures(): EdslFixture[] {
  return readdirSync(EDSL_FIXTURES)
    .filter((name) => /^edsl-[\d.]+\.json$/.test(name))
    .sort()
    .flatMap((name) => {
      const release = name.slice('edsl-'.length, -'.json'.length);
      const entries = JSON.parse(readFileSync(join(EDSL_FIXTURES, name), 'utf8')) as { class_name: string; dict: Record<string, unknown> }[];
      return entries.map((entry) => ({ release, className: entry.class_name, dict: entry.dict }));
    });
}
