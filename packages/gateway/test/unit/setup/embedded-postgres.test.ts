// The throw-away PostgreSQL the suite starts when a machine has none: a real server that takes
// the tests' statements, and that never outlives the run that started it, however that run ends.
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Readable } from 'node:stream';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../setup/embedded-postgres.ts';

/** Running, and not a zombie that nobody reaps (the killed runner was its parent). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

async function until(what: string, done: () => boolean, ceilingMs = 60_000): Promise<void> {
  const deadline = Date.now() + ceilingMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ceilingMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const refused = (url: string) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

/** A node process that runs `body` with startEmbeddedPostgres in scope: a test runner stand-in. */
function spawnRunner(body: string): ChildProcessByStdio<null, Readable, null> {
  const module = new URL('../../setup/embedded-postgres.ts', import.meta.url).pathname;
  const script = `const { startEmbeddedPostgres } = await import(${JSON.stringify(module)});\n${body}`;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function firstLine(child: ChildProcessByStdio<null, Readable, null>): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`the runner exited with ${code} before printing`)));
  });
}

describe('the throw-away PostgreSQL server', { timeout: 120_000 }, () => {
  it('takes a login as postgres without a password, creates and drops databases, and stop() removes it', async () => {
    const server = await startEmbeddedPostgres();
    try {
      expect(server.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      expect(Number.parseInt(server.version, 10)).toBeGreaterThanOrEqual(13);
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      await client.query('CREATE DATABASE openkka_setup_probe');
      await client.query('DROP DATABASE openkka_setup_probe WITH (FORCE)');
      await client.end();
    } finally {
      await server.stop();
    }
    expect(alive(server.pid)).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
    expect(await refused(server.url)).toBe(true);
  });

  it('once stopped, leaves no timer behind to hold the test runner open', async () => {
    const runner = spawnRunner(`
      const s = await startEmbeddedPostgres();
      await s.stop();
      setImmediate(() => console.log(JSON.stringify(process.getActiveResourcesInfo())));`);
    const resources = JSON.parse(await firstLine(runner)) as string[];
    expect(resources).not.toContain('Timeout');
  });

  it('a runner killed with SIGKILL leaves no postmaster and no temp dir behind', async () => {
    const runner = spawnRunner(`
      const s = await startEmbeddedPostgres();
      console.log(JSON.stringify({ pid: s.pid, dir: s.dir, url: s.url }));
      setInterval(() => {}, 1000);`);
    const started = JSON.parse(await firstLine(runner)) as { pid: number; dir: string; url: string };
    expect(alive(started.pid)).toBe(true);
    expect(existsSync(started.dir)).toBe(true);

    runner.kill('SIGKILL');
    await until('the postmaster gone', () => !alive(started.pid));
    await until('the temp dir removed', () => !existsSync(started.dir));
    expect(await refused(started.url)).toBe(true);
  });
});
