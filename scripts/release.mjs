#!/usr/bin/env node
// `npm run release [-- --dry-run]`: publishes @openkka/sdk and openkka (docs/releasing.md).
// Checks that the versions and the changelogs agree, builds both packages, runs the tarball
// test (the packed packages installed into an empty project and used there), then publishes
// the very build it tested. With --dry-run npm shows what it would publish and uploads nothing.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const RELEASED = ['packages/sdk', 'packages/gateway'];

const manifest = (root, folder) => JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8'));

/** What stops a release of the packages under `root`: one sentence per problem, none when ready. */
export function releaseProblems(root = ROOT) {
  const problems = [];
  const sdk = manifest(root, 'packages/sdk');
  const gateway = manifest(root, 'packages/gateway');
  for (const folder of RELEASED) {
    const { name, version } = manifest(root, folder);
    const changelog = readFileSync(join(root, folder, 'CHANGELOG.md'), 'utf8');
    if (!new RegExp(`^## ${version.replaceAll('.', '\\.')}( |$)`, 'm').test(changelog)) {
      problems.push(`${folder}/CHANGELOG.md has no "## ${version}" section for ${name}@${version}`);
    }
  }
  // The gateway is tested with this SDK; a range would let an install pick another one.
  if (gateway.dependencies['@openkka/sdk'] !== sdk.version) {
    problems.push(
      `openkka depends on @openkka/sdk ${gateway.dependencies['@openkka/sdk']}, but the SDK is ${sdk.version}`,
    );
  }
  return problems;
}

/** npm's arguments for the publish step; `--ignore-scripts`, so what is published is what was tested. */
export function publishArgs(dryRun) {
  return [
    'publish',
    '--ignore-scripts',
    '--access',
    'public',
    ...RELEASED.flatMap((folder) => ['-w', folder]),
    ...(dryRun ? ['--dry-run'] : []),
  ];
}

function step(what, command, args) {
  process.stderr.write(`release: ${what}\n`);
  const { status } = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (status !== 0) {
    process.stderr.write(`release: ${what} failed\n`);
    process.exit(status ?? 1);
  }
}

function main() {
  const dryRun = process.argv.includes('--dry-run');
  const problems = releaseProblems();
  const dirty = spawnSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).stdout;
  if (!dryRun && dirty.trim() !== '') problems.push('the working tree has uncommitted changes');
  if (problems.length > 0) {
    process.stderr.write(`release: not ready:\n${problems.map((p) => `- ${p}\n`).join('')}`);
    process.exit(1);
  }
  step('building', process.execPath, [join(ROOT, 'scripts/build.mjs')]);
  step('testing the tarballs', 'npx', ['vitest', 'run', '--project', 'packaging']);
  step(dryRun ? 'publishing (dry run)' : 'publishing', 'npm', publishArgs(dryRun));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
