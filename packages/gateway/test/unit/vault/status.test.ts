/** Which master keys may be retired, and how `openkka keys status` prints the key state. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newDataKey } from '../../../src/vault/data-keys.ts';
import { parseKeyring } from '../../../src/vault/keyring.ts';
import { formatKeyStatus, type KeyStatus, retirableMasterKeys } from '../../../src/vault/status.ts';

const entry = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

describe('retirableMasterKeys', () => {
  const ring = parseKeyring([entry('mk_1'), entry('mk_2'), entry('mk_3')].join('\n'), 'test');
  const under = (id: string) => newDataKey(parseKeyring(entry(id), 'x'), 0);

  it('lists the keys that wrap nothing, never the primary', () => {
    expect(retirableMasterKeys(ring, { card_keys: [under('mk_3')], fingerprint: under('mk_3') })).toEqual([
      'mk_1',
      'mk_2',
    ]);
    expect(retirableMasterKeys(ring, { card_keys: [under('mk_1')], fingerprint: under('mk_2') })).toEqual([]);
    // Right after rotate-master, before any gateway has re-wrapped: the old key is still needed.
    expect(
      retirableMasterKeys(ring, { card_keys: [under('mk_2'), under('mk_3')], fingerprint: under('mk_3') }),
    ).toEqual(['mk_1']);
  });
});

describe('formatKeyStatus', () => {
  const status: KeyStatus = {
    keyring: '/data/master.key',
    master_keys: [
      { id: 'mk_old', primary: false, wraps: [], retirable: true },
      { id: 'mk_new', primary: true, wraps: ['dk_a', 'dk_b', 'dk_f'], retirable: false },
    ],
    data_keys: [
      {
        id: 'dk_a',
        purpose: 'card',
        primary: false,
        master_key_id: 'mk_new',
        created_at: null,
        card_records: 1,
        sealed: [],
        deletable_after: 1,
      },
      {
        id: 'dk_b',
        purpose: 'card',
        primary: true,
        master_key_id: 'mk_new',
        created_at: 1,
        card_records: 12,
        sealed: ['platform_key'],
        deletable_after: null,
      },
      {
        id: 'dk_f',
        purpose: 'fingerprint',
        primary: true,
        master_key_id: 'mk_new',
        created_at: null,
        card_records: null,
        sealed: [],
        deletable_after: null,
      },
    ],
    unreadable_card_records: 0,
    rotation_in_progress: true,
  };

  it('marks the primary, counts records per data key and names what can be retired', () => {
    expect(formatKeyStatus(status).split('\n')).toEqual([
      'Master keys (/data/master.key):',
      '  mk_old  wraps nothing; retirable: openkka keys retire-master mk_old',
      '  mk_new  primary; wraps dk_a, dk_b, dk_f',
      'Data keys:',
      '  dk_a  card, older; wrapped by mk_new; 1 card record',
      '  dk_b  card, primary; wrapped by mk_new; 12 card records; seals platform_key',
      '  dk_f  fingerprint; wrapped by mk_new',
      'Retirable master keys: mk_old',
      'Rotation in progress: a running gateway re-encrypts card records under the primary card key',
    ]);
  });
});
