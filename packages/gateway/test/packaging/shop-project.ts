/**
 * The empty project the packaging test installs the tarballs into, with a lockfile made from
 * the repository's: the two packages point at their tarballs, and every other package is the
 * exact version (and integrity) the repository was tested with, found by Node's resolution
 * walk from the gateway's, the SDK's and @types/node's dependencies. `npm ci --offline` then
 * takes each from the npm cache that the repository's `npm ci` filled, with no registry
 * metadata needed, which an install by name would need.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { REPO } from './node-builds.ts';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [field: string]: unknown;
}

/** Where Node finds `name` required from the package at `from`: nearest node_modules upwards. */
function resolve(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return undefined;
    const at = dir.lastIndexOf('/node_modules/');
    dir = at === -1 ? '' : dir.slice(0, at);
  }
}

const manifest = (folder: string) => JSON.parse(readFileSync(join(REPO, folder, 'package.json'), 'utf8'));

function tarballEntry(folder: string, tarball: string): LockEntry {
  const m = manifest(folder);
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  return {
    version: m.version,
    resolved: `file:../${basename(tarball)}`,
    integrity,
    license: m.license,
    ...(m.dependencies ? { dependencies: m.dependencies } : {}),
    ...(m.bin ? { bin: m.bin } : {}),
    engines: m.engines,
  };
}

/** Writes package.json and package-lock.json of a shop that depends on the two tarballs. */
export function writeShopProject(dir: string, sdkTarball: string, gatewayTarball: string): void {
  const repoLock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const typesNode = manifest('.').devDependencies['@types/node'] as string;
  // The repository's own override (docs/releasing.md): what a shop on Node.js 20 adds so that
  // npm does not warn about cookie@2.
  const { overrides } = manifest('.');
  const root = {
    name: 'shop',
    version: '1.0.0',
    dependencies: {
      '@openkka/sdk': `file:../${basename(sdkTarball)}`,
      openkka: `file:../${basename(gatewayTarball)}`,
    },
    devDependencies: { '@types/node': typesNode },
  };

  const packages: Record<string, LockEntry> = {
    '': root,
    'node_modules/@openkka/sdk': tarballEntry('packages/sdk', sdkTarball),
    'node_modules/openkka': tarballEntry('packages/gateway', gatewayTarball),
  };
  // Third-party packages: the repository's entries, reached from what the three need.
  const queue: Array<[string, Record<string, string>, boolean]> = [
    ['', manifest('packages/gateway').dependencies, false],
    ['', { '@types/node': typesNode }, true],
  ];
  while (queue.length > 0) {
    const [from, dependencies, dev] = queue.shift()!;
    for (const name of Object.keys(dependencies)) {
      if (name === '@openkka/sdk') continue;
      const path = resolve(repoLock.packages, from, name);
      if (!path) throw new Error(`the repository's lockfile has no ${name} for ${from || 'the root'}`);
      if (packages[path]) continue;
      const { dev: _d, optional: _o, devOptional: _do, ...entry } = repoLock.packages[path]!;
      packages[path] = dev ? { ...entry, dev: true } : entry;
      queue.push([path, { ...entry.dependencies, ...entry.optionalDependencies }, dev]);
    }
  }
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ ...root, private: true, overrides }, null, 2)}\n`,
  );
  const lock = { name: 'shop', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
}
