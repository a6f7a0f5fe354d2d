/**
 * Changes to the keyring file: a new primary is appended, an old key removed, each written
 * whole (temporary file, then rename) with mode 0600 and under a lock file, so a server
 * polling the file never reads half a keyring and two changes never lose one another.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKeyring, readKeyringFile } from '../../../src/vault/keyring.ts';
import { addMasterKey, removeMasterKey } from '../../../src/vault/keyring-file.ts';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openkka-keyring-'));
  file = join(dir, 'master.key');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;

describe('the keyring file', () => {
  it('is created 0600 with one mk_ key on first use', () => {
    const ring = loadKeyring(dir, undefined);
    expect(ring.primaryId).toMatch(/^mk_[0-9a-f]{8}$/);
    expect(ring.file).toBe(file);
    expect(mode(file)).toBe(0o600);
  });

  it('addMasterKey appends a new primary, keeps the old keys and comments, and stays 0600', () => {
    const first = loadKeyring(dir, undefined);
    writeFileSync(file, `# production keys\n${readFileSync(file, 'utf8')}`, { mode: 0o600 });
    const id = addMasterKey(file);
    const ring = readKeyringFile(file);
    expect(ring.primaryId).toBe(id);
    expect([...ring.keys.keys()]).toEqual([first.primaryId, id]);
    expect(ring.keys.get(first.primaryId)).toEqual(first.keys.get(first.primaryId));
    expect(readFileSync(file, 'utf8').startsWith('# production keys\n')).toBe(true);
    expect(mode(file)).toBe(0o600);
    // Nothing left behind: no temporary file, no lock.
    expect(readdirSync(dir)).toEqual(['master.key']);
  });

  it('replaces the file rather than writing into it (a reader holds the old or the new keyring)', () => {
    loadKeyring(dir, undefined);
    const before = statSync(file).ino;
    addMasterKey(file);
    expect(statSync(file).ino).not.toBe(before);
  });

  it('removeMasterKey removes an old key, asking the caller first', () => {
    const first = loadKeyring(dir, undefined).primaryId;
    const second = addMasterKey(file);
    const asked: string[] = [];
    removeMasterKey(file, first, (ring) => asked.push(...ring.keys.keys()));
    expect(asked).toEqual([first, second]);
    expect([...readKeyringFile(file).keys.keys()]).toEqual([second]);
    expect(mode(file)).toBe(0o600);
  });

  it('removeMasterKey refuses the primary, an unknown id, and whatever the caller refuses', () => {
    const first = loadKeyring(dir, undefined).primaryId;
    const second = addMasterKey(file);
    const text = readFileSync(file, 'utf8');
    expect(() => removeMasterKey(file, second, () => {})).toThrow(`master key "${second}" is the primary`);
    expect(() => removeMasterKey(file, 'mk_nope', () => {})).toThrow(`holds no master key "mk_nope"`);
    expect(() =>
      removeMasterKey(file, first, () => {
        throw new Error('still needed');
      }),
    ).toThrow('still needed');
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(readdirSync(dir)).toEqual(['master.key']);
  });

  it('refuses a change while another holds the lock, and clears a lock left by a crash', () => {
    writeFileSync(file, `mk_a:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const lock = `${file}.lock`;
    writeFileSync(lock, '');
    expect(() => addMasterKey(file)).toThrow(/another change to .*master\.key is in progress/);
    expect(readKeyringFile(file).keys.size).toBe(1);
    const old = new Date(Date.now() - 5 * 60_000);
    utimesSync(lock, old, old);
    addMasterKey(file);
    expect(readKeyringFile(file).keys.size).toBe(2);
    expect(readdirSync(dir)).toEqual(['master.key']);
  });
});
