/**
 * The release command's checks and its publish step (as a dry run: nothing is uploaded). The
 * build and the tarball test it runs before publishing are the rest of this folder.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { publishArgs, RELEASED, releaseProblems } from '../../../../scripts/release.mjs';
import { run } from '../cli/run-cli.ts';
import { REPO } from './node-builds.ts';

const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

/** The released packages' manifests and changelogs, copied to a scratch root to edit. */
function scratchRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'openkka-release-'));
  copies.push(root);
  for (const folder of RELEASED) {
    for (const file of ['package.json', 'CHANGELOG.md']) {
      cpSync(join(REPO, folder, file), join(root, folder, file), { recursive: true });
    }
  }
  return root;
}

interface Manifest {
  version: string;
  dependencies: Record<string, string>;
}

function editManifest(root: string, folder: string, edit: (m: Manifest) => void): void {
  const file = join(root, folder, 'package.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  edit(manifest);
  writeFileSync(file, JSON.stringify(manifest));
}

describe('npm run release', () => {
  it('finds this checkout ready: each version has its changelog section, the gateway names this SDK', () => {
    expect(releaseProblems(REPO)).toEqual([]);
  });

  it('refuses a version whose changelog has no section for it', () => {
    const root = scratchRoot();
    editManifest(root, 'packages/sdk', (m) => {
      m.version = '0.2.0';
    });
    editManifest(root, 'packages/gateway', (m) => {
      m.dependencies['@openkka/sdk'] = '0.2.0';
    });
    expect(releaseProblems(root)).toEqual([
      'packages/sdk/CHANGELOG.md has no "## 0.2.0" section for @openkka/sdk@0.2.0',
    ]);
  });

  it('refuses a gateway that names another SDK than the one released beside it', () => {
    const root = scratchRoot();
    editManifest(root, 'packages/gateway', (m) => {
      m.dependencies['@openkka/sdk'] = '^0.1.0';
    });
    expect(releaseProblems(root)).toEqual(['openkka depends on @openkka/sdk ^0.1.0, but the SDK is 0.1.0']);
  });

  it('publishes both packages from their build (dry run)', async () => {
    const result = await run('npm', publishArgs(true), {}, 300_000, REPO);
    const said = result.stdout + result.stderr;
    expect(result.code, said).toBe(0);
    expect(said).toContain('@openkka/sdk@0.1.0');
    expect(said).toContain('openkka@0.1.0');
    expect(said).toMatch(/dry-run/i);
    expect(said).toContain('dist/esm/index.js');
    expect(said).not.toMatch(/\bsrc\//);
  });
});
