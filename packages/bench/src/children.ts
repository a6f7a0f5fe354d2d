/**
 * The bench's child processes: its own entries (load generator, ceiling server, compiled files
 * beside this one in dist/), and `openkka` itself (the gateway package's `bin/openkka.cjs`, from
 * `openkka/executable`).
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { OPENKKA_BIN } from 'openkka/executable';

const live = new Set<ChildProcess>();

function track<T extends ChildProcess>(child: T): T {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/**
 * Forks `entry` (a compiled file beside this one, so the bench runs from its build) with an IPC
 * channel; its stderr goes to ours.
 */
export function forkEntry(entry: string): ChildProcess {
  const file = fileURLToPath(new URL(entry, import.meta.url));
  return track(fork(file, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
}

/**
 * The environment for `openkka` children: the caller's, minus every gateway setting, so a
 * developer's DATABASE_URL, PORT or master key can never point the bench at a real store.
 */
export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || name === 'DATABASE_URL' || name === 'HOST' || name === 'PORT') continue;
    if (name.startsWith('OPENKKA_')) continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

/** `bin` is another checkout's executable under --compare; this checkout's otherwise. */
export function spawnOpenkka(
  args: string[],
  env: Record<string, string>,
  nodeArgs: string[] = [],
  bin: string = OPENKKA_BIN,
): ChildProcess {
  return track(
    spawn(process.execPath, [...nodeArgs, bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}

/** Runs `openkka <args>` to completion; rejects with its stderr when it fails. */
export function runOpenkka(
  args: string[],
  env: Record<string, string>,
  bin: string = OPENKKA_BIN,
): Promise<string> {
  const child = spawnOpenkka(args, env, [], bin);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`openkka ${args.join(' ')} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

/** SIGKILLs every child still running (on an interrupted or failed bench). */
export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}
