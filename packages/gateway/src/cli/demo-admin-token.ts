/**
 * The admin token of the demo: `openkka start` on a fresh data dir with no OPENKKA_ADMIN_TOKEN
 * makes one, so a newcomer can open /dashboard, and keeps it in the data dir as `admin-token`
 * (0600, like the other secrets there); later starts read it back. The banner names the file,
 * never the token, so it stays out of terminal scrollback and logs.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensurePrivateDir, keepPrivate, PRIVATE_FILE_MODE, type Warn } from '../store/private-files.ts';

export const ADMIN_TOKEN_FILE = 'admin-token';

export interface DemoAdminToken {
  token: string;
  /** Where it is kept, for the banner. */
  file: string;
  /** Made by this call (the first start), not read back. */
  created: boolean;
}

/**
 * The data dir's admin token: read when the file exists, made when `create` (a first start)
 * says so, else undefined and the dashboard stays off. A file that holds no valid token is an
 * error naming it, never silently replaced.
 */
export function demoAdminToken(dataDir: string, create: boolean, warn: Warn): DemoAdminToken | undefined {
  const file = resolve(join(dataDir, ADMIN_TOKEN_FILE));
  const existing = read(file);
  if (existing !== undefined) {
    keepPrivate(file, warn);
    if (!/^[\x21-\x7e]{32,}$/.test(existing)) {
      throw new Error(
        `${file} must hold an admin token of at least 32 visible ASCII characters; delete it to have one made`,
      );
    }
    return { token: existing, file, created: false };
  }
  if (!create) return undefined;
  ensurePrivateDir(dataDir, warn);
  const token = randomBytes(32).toString('base64url');
  // 'wx': a file another process made meanwhile is kept, and read back below.
  try {
    writeFileSync(file, `${token}\n`, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return demoAdminToken(dataDir, false, warn);
  }
  return { token, file, created: true };
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
