/**
 * Runs the real `openkka` executable (`node bin/openkka.cjs …`) and the tools a merchant would
 * use (bash, openssl, curl) as child processes. Every child is tracked, so a test file can
 * kill whatever is still running after a failure.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { OPENKKA_BIN } from '../../src/cli/executable.ts';
import { CEILING_MS } from '../helpers/eventually.ts';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Tracked {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<RunResult>;
}

const running = new Set<ChildProcess>();

/**
 * SIGKILLs every child that is still running, with whatever it started (for afterEach /
 * afterAll): `npx openkka start` runs the gateway two processes down, which a kill of npx alone
 * would leave running after the suite.
 */
export function killChildren(): void {
  for (const child of running) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
  running.clear();
}

// A child in its own group no longer hears the terminal's Ctrl-C, so an interrupted run kills
// them here before dying of the signal as it would have.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killChildren();
    process.kill(process.pid, signal);
  });
}

/**
 * The parent's environment without the settings of the `npm test` that runs the suite
 * (`npm_config_*` and the like), which would steer an `npm` or `npx` a test runs towards this
 * repository instead of the project the test made.
 */
function parentEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('npm_')) env[name] = value;
  }
  return env;
}

/**
 * The parent's environment without the gateway's own settings, so a developer's shell (a
 * DATABASE_URL, a PORT, a master key) can never point a test at another store.
 */
function gatewayFreeEnv(): Record<string, string> {
  const env = parentEnv();
  for (const name of Object.keys(env)) {
    const gateway = name.startsWith('OPENKKA_') && !name.startsWith('OPENKKA_TEST_');
    if (gateway || name === 'DATABASE_URL' || name === 'HOST' || name === 'PORT') delete env[name];
  }
  return env;
}

function track(command: string, args: string[], env: Record<string, string>, cwd?: string): Tracked {
  // Its own process group, so killChildren reaches the processes it starts in turn.
  const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<RunResult>((resolve, reject) => {
    child.once('error', (err) => {
      running.delete(child);
      reject(err);
    });
    // 'close' comes after both pipes are drained, so the output is complete.
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function finish(tracked: Tracked, what: string, timeoutMs: number): Promise<RunResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      tracked.child.kill('SIGKILL');
      reject(new Error(`${what} did not finish within ${timeoutMs} ms; stderr:\n${tracked.stderr()}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([tracked.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs any program with the parent's environment plus `env`, in `cwd` when given. */
export function run(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = CEILING_MS,
  cwd?: string,
): Promise<RunResult> {
  return finish(track(command, args, { ...parentEnv(), ...env }, cwd), command, timeoutMs);
}

/** `openkka <args>` with `env` (a test store's env, plus any overrides). */
export function runCli(
  args: string[],
  env: Record<string, string>,
  timeoutMs = CEILING_MS,
): Promise<RunResult> {
  const tracked = track(process.execPath, [OPENKKA_BIN, ...args], { ...gatewayFreeEnv(), ...env });
  return finish(tracked, `openkka ${args.join(' ')}`, timeoutMs);
}

export interface ServerProcess {
  child: ChildProcess;
  /** The URL parsed from the banner. */
  url: string;
  /** Everything written to stdout up to the end of the banner. */
  banner: string;
  stderr(): string;
  exited: Promise<RunResult>;
  /** Sends `signal` and resolves when the process has exited, with how long that took. */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<RunResult & { elapsedMs: number }>;
}

const LISTENING = /^openkka is listening on (\S+)/m;

function bannerComplete(stdout: string): boolean {
  if (!LISTENING.test(stdout) || !stdout.endsWith('\n\n')) return false;
  // With a demo merchant the banner goes on to the example, whose last line ends in `echo`.
  return !stdout.includes('Demo merchant:') || /; echo\n/.test(stdout);
}

/** How to run `openkka start`: this checkout's executable, or an installed one (`npx openkka start`). */
export interface StartCommand {
  command: string;
  args: string[];
  cwd?: string;
}

const THIS_CHECKOUT: StartCommand = { command: process.execPath, args: [OPENKKA_BIN, 'start'] };

/** `openkka start` on an OS-chosen port (PORT=0), resolved once the banner has been printed. */
export async function startServer(
  env: Record<string, string>,
  timeoutMs = CEILING_MS,
  start: StartCommand = THIS_CHECKOUT,
): Promise<ServerProcess> {
  const tracked = track(
    start.command,
    start.args,
    { ...gatewayFreeEnv(), HOST: '127.0.0.1', PORT: '0', ...env },
    start.cwd,
  );
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      tracked.child.kill('SIGKILL');
      reject(
        new Error(`openkka start printed no banner within ${timeoutMs} ms; stderr:\n${tracked.stderr()}`),
      );
    }, timeoutMs);
    const check = () => {
      if (!bannerComplete(tracked.stdout())) return;
      clearTimeout(timer);
      tracked.child.stdout!.off('data', check);
      resolve(tracked.stdout());
    };
    tracked.child.stdout!.on('data', check);
    tracked.exited.then(
      (result) => {
        clearTimeout(timer);
        reject(new Error(`openkka start exited early (code ${result.code}); stderr:\n${result.stderr}`));
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
  return {
    child: tracked.child,
    url: LISTENING.exec(banner)![1]!,
    banner,
    stderr: tracked.stderr,
    exited: tracked.exited,
    stop: async (signal, stopTimeoutMs = CEILING_MS) => {
      const started = Date.now();
      tracked.child.kill(signal);
      const result = await finish(tracked, `openkka start after ${signal}`, stopTimeoutMs);
      return { ...result, elapsedMs: Date.now() - started };
    },
  };
}

/** The lines of a printed text from the first one starting with `first` through the next ending with `last`. */
export function linesBetween(text: string, first: string, last: string): string {
  const lines = text.split('\n');
  const from = lines.findIndex((line) => line.startsWith(first));
  const to = lines.findIndex((line, i) => i >= from && line.endsWith(last));
  if (from === -1 || to === -1) throw new Error(`no lines from "${first}" to "${last}" in:\n${text}`);
  return lines.slice(from, to + 1).join('\n');
}
