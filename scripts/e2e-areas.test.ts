import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testAreas } from '../e2e/fixtures/servers';

/** Playwright runs only the specs an area's pattern matches: a spec outside every area would silently never run. */
function matches(pattern: string | RegExp, relative: string): boolean {
  if (pattern instanceof RegExp) return pattern.test(`/e2e/${relative}`);
  if (pattern.includes('/**/')) return relative.startsWith(`${pattern.split('/**/')[0]}/`);
  return relative === pattern;
}

describe('Playwright areas', () => {
  it('run every e2e spec file', () => {
    const specs = readdirSync('e2e', { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.spec.ts'))
      .map((file) => file.split(path.sep).join('/'));
    expect(specs.length).toBeGreaterThan(20);
    const orphans = specs.filter((spec) => !Object.values(testAreas).some((pattern) => matches(pattern, spec)));
    expect(orphans).toEqual([]);
  });
});
