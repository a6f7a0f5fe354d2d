// The README shows the two commands that matter, and no relative link in the docs points nowhere.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../../../', import.meta.url));
const read = (file: string) => readFileSync(file, 'utf8');

const documents = [
  join(root, 'README.md'),
  join(root, 'packages/sdk/README.md'),
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(root, 'docs', name)),
];

/** Markdown without fenced code blocks and inline code, where link syntax means nothing. */
function prose(markdown: string): string {
  return markdown.replace(/^\s*```[\s\S]*?^\s*```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Targets of inline links `[text](target)` and reference definitions `[id]: target`. */
function linkTargets(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const references = [...text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]!);
  return [...inline, ...references];
}

/** Heading anchors as GitHub generates them: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const match of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = match[1]!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

describe('README.md', () => {
  const readme = read(join(root, 'README.md'));

  it.each(['npm ci && npm start', 'npm ci && npm test'])(
    'shows `%s` as a code block of its own',
    (command) => {
      expect(readme).toMatch(new RegExp(`^\`\`\`[a-z]*\\n${command}\\n\`\`\`$`, 'm'));
    },
  );

  it('starts with what openkka is, then the start command', () => {
    const start = readme.indexOf('npm ci && npm start');
    const firstHeadingAfterTitle = readme.indexOf('\n## ');
    expect(start).toBeGreaterThan(0);
    expect(start).toBeLessThan(readme.indexOf('npm ci && npm test'));
    expect(start).toBeLessThan(firstHeadingAfterTitle);
  });
});

describe('relative links in README.md and docs/', () => {
  it('finds the documents and their links (guards the scan itself)', () => {
    expect(documents.map((file) => relative(root, file))).toEqual(
      expect.arrayContaining(['README.md', 'docs/api.md', 'docs/signing.md', 'docs/testing.md']),
    );
    expect(linkTargets(read(join(root, 'README.md')))).toContain('docs/api.md');
  });

  it.each(documents.map((file) => [relative(root, file), file]))(
    '%s links only to files that exist',
    (_, file) => {
      const broken: string[] = [];
      for (const target of linkTargets(read(file))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
        const [path = '', fragment] = target.split('#');
        const destination = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
        if (!existsSync(destination)) {
          broken.push(`${target} (no such file)`);
          continue;
        }
        if (fragment && statSync(destination).isFile() && destination.endsWith('.md')) {
          if (!anchors(read(destination)).has(fragment.toLowerCase()))
            broken.push(`${target} (no such heading)`);
        }
      }
      expect(broken).toEqual([]);
    },
  );
});
