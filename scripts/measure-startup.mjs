#!/usr/bin/env node
// How long the `openkka` command takes to answer, from a cold process: `--help`, a command that
// opens the store (`keys platform`), and `start` until the gateway answers HTTP, on an empty
// store (the first start makes the demo merchant's key) and on an existing one. Medians of
// seven runs (five starts), with the fastest and slowest. docs/benchmarks.md, "Start-up".
//   node scripts/measure-startup.mjs [checkout]      (default: this one)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const checkout = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const bin = join(checkout, 'packages/gateway/bin/openkka.cjs');
const data = mkdtempSync(join(tmpdir(), 'openkka-startup-'));
const env = { ...process.env, OPENKKA_DATA_DIR: data, HOST: '127.0.0.1' };
delete env.DATABASE_URL;

const summary = (ms) => {
  const sorted = [...ms].sort((a, b) => a - b);
  const r = (v) => Math.round(v);
  return `median ${r(sorted[Math.floor(sorted.length / 2)])} ms (${r(sorted[0])}–${r(sorted.at(-1))})`;
};

function timed(args, runs = 7) {
  return Array.from({ length: runs }, () => {
    const started = performance.now();
    const { status, stderr } = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
    if (status !== 0) throw new Error(`openkka ${args.join(' ')}: ${stderr}`);
    return performance.now() - started;
  });
}

function freePort() {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** `openkka start` until any HTTP answer, then SIGTERM and wait for it to exit. */
async function startUntilAnswer() {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'start'], {
    env: { ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  const exited = new Promise((done) => child.once('exit', done));
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      break;
    } catch {
      await new Promise((wait) => setTimeout(wait, 5));
    }
  }
  const ms = performance.now() - started;
  child.kill('SIGTERM');
  await exited;
  return ms;
}

try {
  console.log(`openkka --help:            ${summary(timed(['--help']))}`);
  const first = await startUntilAnswer();
  console.log(`start, empty store:        ${Math.round(first)} ms until HTTP answers`);
  const again = [];
  for (let i = 0; i < 5; i++) again.push(await startUntilAnswer());
  console.log(`start, existing store:     ${summary(again)} until HTTP answers`);
  console.log(`openkka keys platform:     ${summary(timed(['keys', 'platform']))}`);
} finally {
  rmSync(data, { recursive: true, force: true });
}
