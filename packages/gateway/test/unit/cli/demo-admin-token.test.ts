/** The demo's admin token: made once on a first start, 0600 in the data dir, read back after. */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_FILE, demoAdminToken } from '../../../src/cli/demo-admin-token.ts';
import { loadConfig } from '../../../src/config.ts';

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'openkka-admin-token-'));
  dirs.push(dir);
  return join(dir, 'data');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the demo admin token', () => {
  it('is made on a first start, 0600, one the configuration accepts, and read back later', () => {
    const dir = dataDir();
    const warnings: string[] = [];
    const made = demoAdminToken(dir, true, (w) => warnings.push(w))!;
    expect(made.created).toBe(true);
    expect(made.file).toBe(join(dir, ADMIN_TOKEN_FILE));
    expect(made.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(made.file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(loadConfig({ OPENKKA_ADMIN_TOKEN: made.token }).adminToken).toBe(made.token);
    expect(readFileSync(made.file, 'utf8')).toBe(`${made.token}\n`);
    // Later starts, first or not, read the same token back.
    for (const create of [false, true]) {
      expect(demoAdminToken(dir, create, (w) => warnings.push(w))).toEqual({ ...made, created: false });
    }
    expect(warnings).toEqual([]);
  });

  it('is not made when the start is not a first one', () => {
    expect(demoAdminToken(dataDir(), false, () => {})).toBeUndefined();
  });

  it('tightens a file others may read, and refuses one holding no valid token', () => {
    const dir = dataDir();
    const { file, token } = demoAdminToken(dir, true, () => {})!;
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    expect(demoAdminToken(dir, false, (w) => warnings.push(w))?.token).toBe(token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(warnings[0]).toMatch(/was open to other users \(0644\): its mode is now 0600/);
    writeFileSync(file, 'short\n');
    expect(() => demoAdminToken(dir, true, () => {})).toThrow(
      /must hold an admin token of at least 32 visible ASCII characters; delete it/,
    );
  });
});
