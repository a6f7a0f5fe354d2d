/**
 * The data dir and the files in it that hold secrets (the database, its WAL and shared-memory
 * files, the master keyring) are the gateway user's alone: the dir 0700, the files 0600,
 * whatever the process umask (docs/security.md#files-and-secrets-at-rest). A mode asked for at
 * creation is only ever narrowed by the umask; what an older version or the operator left
 * looser is tightened here, with a warning that says so.
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Where a warning about a tightened or too-open path goes (stderr, or the server's log). */
export type Warn = (message: string) => void;

export const warnOnStderr: Warn = (message) => {
  process.stderr.write(`openkka: warning: ${message}\n`);
};

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/** Creates `dir` 0700, or tightens it to 0700 when group or others may enter or read it. */
export function ensurePrivateDir(dir: string, warn: Warn): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir, PRIVATE_DIR_MODE, 'directory', warn);
}

/** Creates `file` empty and 0600 unless it exists; then tightens it as `keepPrivate` does. */
export function createPrivateFile(file: string, warn: Warn): void {
  // 'a' creates without truncating, so a file another process made a moment ago is kept.
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  keepPrivate(file, warn);
}

/** Tightens an existing `file` to 0600 when group or others may read it; a missing one is fine. */
export function keepPrivate(file: string, warn: Warn): void {
  tighten(file, PRIVATE_FILE_MODE, 'file', warn);
}

function tighten(path: string, wanted: number, what: string, warn: Warn): void {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat || (stat.mode & 0o077) === 0) return;
  try {
    chmodSync(path, wanted);
    warn(`${what} ${path} was open to other users (${octal(stat.mode)}): its mode is now ${octal(wanted)}`);
  } catch (err) {
    // Not ours to change (another owner): go on, but say what the operator should do.
    warn(
      `${what} ${path} is open to other users (${octal(stat.mode)}) and could not be changed ` +
        `(${(err as NodeJS.ErrnoException).code}): chmod ${octal(wanted).slice(1)} it`,
    );
  }
}
