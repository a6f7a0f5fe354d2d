/**
 * `openkka keys …`: the platform public key, the gateway keys browsers encrypt cards to, the
 * Google Pay recipient key, and the master keyring: status, rotation, retirement of old master
 * keys, and a foreground re-encryption pass.
 */
import { createPublicKey } from 'node:crypto';
import type { Command } from 'commander';
import { type Config, loadConfig } from '../config.ts';
import { systemClock } from '../domain/clock.ts';
import { formatTime } from '../domain/time.ts';
import type { TimeZone } from '../domain/time-zone.ts';
import { publicKeyOf, publicKeysOf } from '../modules/client-encryption/gateway-keys.ts';
import {
  GOOGLE_PAY_GATEWAY_ALIAS,
  GOOGLE_PAY_GATEWAY_ID,
  GOOGLE_PAY_RECIPIENT_IDS,
  uncompressedPoint,
} from '../modules/wallets/google-pay/recipient.ts';
import {
  currentGatewayKey,
  decryptsUntil,
  ensureGatewayKeys,
  rotateGatewayKeys,
  type StoredGatewayKeys,
} from '../vault/card-encryption-keys.ts';
import { readDataKeys } from '../vault/data-keys.ts';
import { ensureGooglePayRecipientKey } from '../vault/google-pay-keys.ts';
import { ENV_SOURCE, keyringFile } from '../vault/keyring.ts';
import { addMasterKey, removeMasterKey } from '../vault/keyring-file.ts';
import type { PassResult } from '../vault/rotation.ts';
import type { KeyStatus } from '../vault/status.ts';
import { output, withRuntime } from './context.ts';

const ENV_ROTATION_HELP =
  `the master keyring comes from ${ENV_SOURCE}, which openkka cannot change. To rotate, append a ` +
  `new entry to the end of ${ENV_SOURCE}, for example ",mk_2:" followed by the output of ` +
  '`openssl rand -base64 32`, set the new value for every process on this store and restart them. ' +
  'The last entry becomes the primary; the data keys are re-wrapped and stored cards re-encrypted in the background.';

/** The key rotation and the key status read the store: loaded when a command needs them. */
const rotationModule = () => import('../vault/rotation.ts');
const statusModule = () => import('../vault/status.ts');

/** `keys rotate-master`: appends a new primary to the keyring file; returns its id. */
export async function rotateMaster(config: Config): Promise<{ masterKeyId: string; file: string }> {
  if (config.masterKey) throw new Error(ENV_ROTATION_HELP);
  // Opening the runtime first proves this keyring file is the one the store is wrapped by.
  await withRuntime(async () => {}, config);
  const file = keyringFile(config.dataDir);
  return { masterKeyId: addMasterKey(file), file };
}

/** `keys retire-master ID`: removes an old master key from the keyring file, once nothing needs it. */
export async function retireMaster(config: Config, id: string): Promise<{ file: string }> {
  return withRuntime(async (rt) => {
    const keyring = rt.vault.keyring;
    if (!keyring.keys.has(id)) throw new Error(`${keyring.source} holds no master key "${id}"`);
    const stored = await readDataKeys(rt.store);
    const wraps = stored
      ? [...stored.keys.card_keys, stored.keys.fingerprint].filter((k) => k.master_key_id === id)
      : [];
    if (wraps.length > 0) {
      throw new Error(
        `master key "${id}" still wraps data key ${wraps.map((k) => k.id).join(', ')}; a running gateway ` +
          're-wraps them after a rotation (see openkka keys status), or run openkka keys reencrypt',
      );
    }
    if (!keyring.file) {
      const { retirableMasterKeys } = await statusModule();
      const retirable = retirableMasterKeys(keyring, rt.vault.dataKeys).includes(id);
      throw new Error(
        `the master keyring comes from ${ENV_SOURCE}, which openkka cannot change; ` +
          (retirable
            ? `nothing needs "${id}" any more: remove its entry from ${ENV_SOURCE} for every process and restart them`
            : `"${id}" is the primary`),
      );
    }
    // The file may have changed since it was read: the primary check runs again under its lock.
    removeMasterKey(keyring.file, id, () => {});
    return { file: keyring.file };
  }, config);
}

/** `keys reencrypt`: what a running gateway does in the background, once, in the foreground. */
export async function reencryptNow(config: Config): Promise<{ status: KeyStatus; pass: PassResult }> {
  return withRuntime(async (rt) => {
    const [{ KeyRotation }, { keyStatus }] = await Promise.all([rotationModule(), statusModule()]);
    const rotation = new KeyRotation({ store: rt.store, vault: rt.vault, clock: systemClock });
    await rotation.followKeyring();
    const pass = await rotation.reencrypt();
    return { pass, status: await keyStatus(rt.vault) };
  }, config);
}

/** The gateway keys as `keys card-encryption` prints them: the current public key, and every key's dates. */
function gatewayKeysOutput(
  stored: StoredGatewayKeys,
  zone: TimeZone,
): { json: Record<string, unknown>; text: string } {
  const current = currentGatewayKey(stored.keys);
  const keys = stored.keys.map((k) => ({
    kid: k.kid,
    created_at: k.created_at,
    superseded_at: k.superseded_at,
    decrypts_until: k.superseded_at === null ? null : decryptsUntil(k),
  }));
  const lines = [`Current gateway key: ${current.kid} (made ${formatTime(current.created_at, zone)})`];
  for (const k of keys.filter((k) => k.decrypts_until !== null)) {
    lines.push(
      `Older gateway key: ${k.kid} (superseded ${formatTime(k.superseded_at!, zone)}; decrypts until ${formatTime(k.decrypts_until!, zone)})`,
    );
  }
  return {
    json: { key: publicKeyOf(current), public_keys: publicKeysOf(current), keys },
    text: lines.join('\n'),
  };
}

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('Platform key and master keyring');
  keys
    .command('platform')
    .description('Print the platform public key (PEM) that verifies responses and notifications')
    .action(() =>
      withRuntime(async (rt) => {
        process.stdout.write(rt.platformPublicKeyPem);
      }),
    );

  keys
    .command('card-encryption')
    .description('The gateway keys browsers encrypt cards to (the first one is made if there is none)')
    .option('--json', 'print one JSON object')
    .action((opts: { json?: boolean }) =>
      withRuntime(async (rt, config) => {
        const stored = await ensureGatewayKeys(rt.store, rt.vault, Date.now());
        const { json, text } = gatewayKeysOutput(stored, config.timeZone);
        output(opts.json, json, text);
      }),
    );

  keys
    .command('rotate-card-encryption')
    .description('Make a new gateway key for browsers to encrypt cards to; the old one decrypts 25 h more')
    .option('--json', 'print one JSON object')
    .action((opts: { json?: boolean }) =>
      withRuntime(async (rt, config) => {
        const stored = await rotateGatewayKeys(rt.store, rt.vault, Date.now());
        const { json, text } = gatewayKeysOutput(stored, config.timeZone);
        output(opts.json, json, `${text}\nRunning gateways hand out the new key within 5 seconds.`);
      }),
    );

  keys
    .command('google-pay')
    .description('Print the Google Pay recipient public key merchants register (made on first use)')
    .option('--json', 'print one JSON object')
    .action((opts: { json?: boolean }) =>
      withRuntime(async (rt, config) => {
        const key = createPublicKey(await ensureGooglePayRecipientKey(rt.store, rt.vault));
        const publicKey = uncompressedPoint(key).toString('base64');
        const roots = config.googlePayRootKeysFile ?? 'sandbox (OPENKKA_GOOGLE_PAY_ROOT_KEYS is unset)';
        output(
          opts.json,
          {
            public_key: publicKey,
            gateway: GOOGLE_PAY_GATEWAY_ID,
            gateway_alias: GOOGLE_PAY_GATEWAY_ALIAS,
            recipient_ids: GOOGLE_PAY_RECIPIENT_IDS,
            root_keys: config.googlePayRootKeysFile ?? null,
          },
          [
            publicKey,
            `Gateway: ${GOOGLE_PAY_GATEWAY_ID} (also accepted: ${GOOGLE_PAY_GATEWAY_ALIAS})`,
            `Root signing keys: ${roots}`,
          ].join('\n'),
        );
      }),
    );

  keys
    .command('status')
    .description('Master keys (primary, retirable), data keys and the card records each protects')
    .option('--json', 'print one JSON object')
    .action((opts: { json?: boolean }) =>
      withRuntime(async (rt) => {
        const { keyStatus, formatKeyStatus } = await statusModule();
        const status = await keyStatus(rt.vault);
        output(opts.json, { ...status }, formatKeyStatus(status));
      }),
    );

  keys
    .command('rotate-master')
    .description('Add a new primary master key to the keyring file; a running gateway adopts it')
    .option('--json', 'print one JSON object')
    .action(async (opts: { json?: boolean }) => {
      const { masterKeyId, file } = await rotateMaster(loadConfig());
      output(
        opts.json,
        { master_key_id: masterKeyId, file },
        [
          `New primary master key: ${masterKeyId} (in ${file})`,
          'A running gateway adopts it within seconds, re-wraps the data keys and re-encrypts stored',
          'cards in the background. Follow it with `openkka keys status`; once the old master key is',
          'retirable, remove it with `openkka keys retire-master <id>`.',
        ].join('\n'),
      );
    });

  keys
    .command('retire-master')
    .description('Remove an old master key from the keyring file (refused while a data key needs it)')
    .argument('<id>', 'master key id')
    .option('--json', 'print one JSON object')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { file } = await retireMaster(loadConfig(), id);
      output(opts.json, { retired: id, file }, `Master key ${id} removed from ${file}`);
    });

  keys
    .command('reencrypt')
    .description('Re-wrap the data keys under the primary master key and re-encrypt card records now')
    .option('--json', 'print one JSON object')
    .action(async (opts: { json?: boolean }) => {
      const { pass, status } = await reencryptNow(loadConfig());
      const { formatKeyStatus } = await statusModule();
      output(
        opts.json,
        { pass, status },
        [
          `Re-encrypted ${pass.rewrapped} card records (${pass.failed} unreadable)` +
            (pass.deleted.length > 0 ? `; deleted data keys ${pass.deleted.join(', ')}` : ''),
          formatKeyStatus(status),
        ].join('\n'),
      );
    });
}
