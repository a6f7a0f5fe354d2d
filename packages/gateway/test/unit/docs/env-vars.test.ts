// Every environment variable the gateway's configuration reads is documented in the README's table.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../../../', import.meta.url);
const configSource = readFileSync(new URL('packages/gateway/src/config.ts', root), 'utf8');
const readme = readFileSync(new URL('README.md', root), 'utf8');

/**
 * Names read in config.ts: `env.X` / `process.env.X`, `env['X']`, and names handed to a helper
 * as a first argument (`duration('OPENKKA_…', …)`).
 */
function namesReadByConfig(): Set<string> {
  const patterns = [
    /\benv\.([A-Z][A-Z0-9_]*)\b/g,
    /\benv\[\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*\]/g,
    /\b\w+\(\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*[,)]/g,
  ];
  const names = new Set<string>();
  for (const pattern of patterns) {
    for (const match of configSource.matchAll(pattern)) names.add(match[1]!);
  }
  return names;
}

/** First-column names of the table under `## Configuration` in README.md. */
function namesInReadmeTable(): Set<string> {
  const lines = readme.split('\n');
  const start = lines.findIndex((line) => line.trim() === '## Configuration');
  if (start === -1) throw new Error('README.md has no "## Configuration" heading');
  const names = new Set<string>();
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    const cell = /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/.exec(line.trim());
    if (cell) names.add(cell[1]!);
  }
  return names;
}

describe('README configuration table', () => {
  it('finds the variables config.ts reads (guards the scan itself)', () => {
    const names = namesReadByConfig();
    for (const known of ['PORT', 'HOST', 'DATABASE_URL', 'OPENKKA_DATA_DIR', 'OPENKKA_SIGNATURE_WINDOW']) {
      expect(names).toContain(known);
    }
  });

  it('documents every variable config.ts reads', () => {
    const documented = namesInReadmeTable();
    const missing = [...namesReadByConfig()].filter((name) => !documented.has(name));
    expect(missing, 'add these to the table under "## Configuration" in README.md').toEqual([]);
  });
});
