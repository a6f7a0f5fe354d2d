/**
 * `npm ci` on the lowest Node.js the README names prints no engine warning: every package in
 * the lockfile (dependencies of dependencies too) accepts that version, and so do ours.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { lowestNodeInReadme, REPO } from './node-builds.ts';

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
}

const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockedPackage>;
};
const lowest = lowestNodeInReadme();

describe(`engines on Node.js ${lowest}`, () => {
  it('every locked package accepts it', () => {
    const refusing = Object.entries(lock.packages).flatMap(([path, pkg]) => {
      const range = Array.isArray(pkg.engines) ? undefined : pkg.engines?.node;
      return range && !semver.satisfies(lowest, range) ? [`${path}@${pkg.version}: node ${range}`] : [];
    });
    expect(refusing).toEqual([]);
  });

  it.each(['.', 'packages/sdk', 'packages/gateway'])('%s/package.json names it as its lowest', (folder) => {
    const manifest = JSON.parse(readFileSync(join(REPO, folder, 'package.json'), 'utf8'));
    expect(semver.minVersion(manifest.engines.node)?.version).toBe(lowest);
  });
});
