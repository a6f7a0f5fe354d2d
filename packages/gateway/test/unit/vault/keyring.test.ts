/**
 * The master keyring's text format: entries `id:base64` separated by commas or newlines, the
 * last one primary; and the edits rotation makes to it (append a primary, remove an old key),
 * which must leave everything else in the file as it was.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  appendEntry,
  keyringEntries,
  newKeyEntry,
  parseKeyring,
  removeEntry,
  sameKeyring,
} from '../../../src/vault/keyring.ts';

const b64 = () => randomBytes(32).toString('base64');
const entry = (id: string, key = b64()) => `${id}:${key}`;

describe('parseKeyring', () => {
  it('makes the last entry the primary and keeps every entry, in order', () => {
    const ring = parseKeyring(`${entry('mk_a')}\n${entry('mk_b')},${entry('mk_c')}\n`, 'test');
    expect(ring.primaryId).toBe('mk_c');
    expect([...ring.keys.keys()]).toEqual(['mk_a', 'mk_b', 'mk_c']);
    for (const key of ring.keys.values()) expect(key).toHaveLength(32);
    expect(ring.source).toBe('test');
    expect(ring.file).toBeUndefined();
  });

  it('skips blank lines, comment lines and surrounding spaces (and CRLF line ends)', () => {
    const text = `# rotated 2026-01-01\r\n\r\n  ${entry('mk_a')}  \r\n# next\r\n${entry('mk_b')}\r\n`;
    const ring = parseKeyring(text, 'test', '/keys/master.key');
    expect([...ring.keys.keys()]).toEqual(['mk_a', 'mk_b']);
    expect(ring.file).toBe('/keys/master.key');
  });

  it('reads a bare base64 value as one key named "env"', () => {
    const key = b64();
    const ring = parseKeyring(key, 'OPENKKA_MASTER_KEY');
    expect(ring.primaryId).toBe('env');
    expect(ring.keys.get('env')!.toString('base64')).toBe(key);
  });

  it.each([
    ['an empty text', '', /is empty/],
    ['only comments', '# nothing here\n', /is empty/],
    ['a short key', `mk_a:${randomBytes(16).toString('base64')}`, /"mk_a" in src must be 32 bytes/],
    ['a long key', `mk_a:${randomBytes(33).toString('base64')}`, /"mk_a" in src must be 32 bytes/],
    ['a key that is not base64', `mk_a:${'*'.repeat(44)}`, /"mk_a" in src must be 32 bytes/],
    ['an empty id', entry(''), /a master key in src has an empty id/],
  ])('refuses %s, naming the source but never the key', (_name, text, message) => {
    let error: Error | undefined;
    try {
      parseKeyring(text, 'src');
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).toMatch(message);
    const secret = text.split(':')[1];
    if (secret && secret.length > 8) expect(error?.message).not.toContain(secret);
  });

  it('refuses an id listed twice (which key wrapped what would be ambiguous)', () => {
    expect(() => parseKeyring(`${entry('mk_a')}\n${entry('mk_a')}`, 'src')).toThrow(
      'master key id "mk_a" appears twice in src',
    );
  });
});

describe('keyring edits', () => {
  it('newKeyEntry makes a parseable entry with an mk_ id not already taken', () => {
    const { id, entry: text } = newKeyEntry(['mk_00000000']);
    expect(id).toMatch(/^mk_[0-9a-f]{8}$/);
    expect(id).not.toBe('mk_00000000');
    expect(parseKeyring(text, 'new').primaryId).toBe(id);
  });

  it('appendEntry adds the new primary on a line of its own, with or without a final newline', () => {
    const a = entry('mk_a');
    expect(appendEntry(a, entry('mk_b', 'X'))).toBe(`${a}\nmk_b:X\n`);
    expect(appendEntry(`${a}\n`, 'mk_b:X')).toBe(`${a}\nmk_b:X\n`);
    expect(appendEntry('', 'mk_b:X')).toBe('mk_b:X\n');
    const ring = parseKeyring(appendEntry(`${a}\n`, entry('mk_b')), 'test');
    expect(ring.primaryId).toBe('mk_b');
  });

  it('removeEntry drops one entry and leaves comments, layout and the other entries alone', () => {
    const [a, b, c] = [entry('mk_a'), entry('mk_b'), entry('mk_c')];
    const text = `# keys\n${a}\n${b},${c}\n`;
    expect(removeEntry(text, 'mk_a')).toBe(`# keys\n${b},${c}\n`);
    expect(removeEntry(text, 'mk_b')).toBe(`# keys\n${a}\n${c}\n`);
    expect(removeEntry(text, 'mk_x')).toBe(text);
    // A comment that happens to mention the id is not an entry.
    expect(removeEntry(`# mk_a:old\n${a}\n${b}\n`, 'mk_a')).toBe(`# mk_a:old\n${b}\n`);
    expect(keyringEntries(removeEntry(text, 'mk_c'))).toEqual([a, b]);
  });

  it('sameKeyring compares ids, keys and order', () => {
    const [a, b] = [entry('mk_a'), entry('mk_b')];
    expect(sameKeyring(parseKeyring(`${a}\n${b}`, 'x'), parseKeyring(`${a},${b}`, 'y'))).toBe(true);
    expect(sameKeyring(parseKeyring(`${a}\n${b}`, 'x'), parseKeyring(`${b}\n${a}`, 'x'))).toBe(false);
    expect(sameKeyring(parseKeyring(a, 'x'), parseKeyring(entry('mk_a'), 'x'))).toBe(false);
    expect(sameKeyring(parseKeyring(a, 'x'), parseKeyring(`${a}\n${b}`, 'x'))).toBe(false);
  });
});
