#!/usr/bin/env node
// Builds the workspace packages to JavaScript with tsc, in dependency order: the SDK (ES module
// and CommonJS, each with its declarations), then the gateway and the bench, which read the
// SDK's declarations. `node scripts/build.mjs [sdk|gateway|bench ...]`; no names builds all.
// Each build starts from an empty dist/, so a file deleted from src/ never lingers in a package.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** Per package: the tsc projects to run, and what to write after them. */
const PACKAGES = {
  sdk: {
    projects: ['tsconfig.build.json', 'tsconfig.cjs.json'],
    // dist/cjs holds CommonJS in a package whose "type" is "module": this marker tells Node (and
    // TypeScript, for the declarations beside it) how to read the files under it.
    after: (dir) => writeFileSync(join(dir, 'dist/cjs/package.json'), '{ "type": "commonjs" }\n'),
  },
  gateway: { projects: ['tsconfig.build.json'] },
  bench: { projects: ['tsconfig.build.json'] },
};

const names = process.argv.slice(2);
for (const name of names) {
  if (!(name in PACKAGES)) {
    process.stderr.write(`build: unknown package "${name}" (${Object.keys(PACKAGES).join(', ')})\n`);
    process.exit(2);
  }
}

for (const [name, { projects, after }] of Object.entries(PACKAGES)) {
  if (names.length > 0 && !names.includes(name)) continue;
  const dir = join(ROOT, 'packages', name);
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  for (const project of projects) {
    const { status } = spawnSync(process.execPath, [TSC, '-p', join(dir, project)], { stdio: 'inherit' });
    if (status !== 0) {
      process.stderr.write(`build: tsc -p packages/${name}/${project} failed\n`);
      process.exit(status ?? 1);
    }
  }
  mkdirSync(join(dir, 'dist'), { recursive: true });
  after?.(dir);
}
