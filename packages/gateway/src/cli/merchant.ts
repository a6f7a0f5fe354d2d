/**
 * `openkka merchant create | list | disable | enable | set-notify-url | set-app-id |
 * set-notify-protocol | add-key | remove-key | keys | client-key`
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type Config, parseDuration } from '../config.ts';
import type { MerchantRow } from '../core/merchants/repo.ts';
import { DEFAULT_CLIENT_KEY_GRACE_MS } from '../domain/client-key.ts';
import { systemClock } from '../domain/clock.ts';
import { formatTime } from '../domain/time.ts';
import type { TimeZone } from '../domain/time-zone.ts';
import { isWire, WIRES, type Wire } from '../domain/wire.ts';
import { withoutCredentials } from '../modules/notifications/outbound/credentials.ts';
import { OutboundPolicy } from '../modules/notifications/outbound/policy.ts';
import { HostResolver } from '../modules/notifications/outbound/resolver.ts';
import { merchantService, output, withRuntime } from './context.ts';
import { generateMerchantKey } from './merchant-keys.ts';

interface CreateOptions {
  name: string;
  publicKey?: string;
  generateKey?: string;
  notifyUrl?: string;
  json?: boolean;
}

export function registerMerchantCommands(program: Command): void {
  const merchant = program.command('merchant').description('Manage merchants and their signing keys');

  merchant
    .command('create')
    .description('Create a merchant with a public key (or generate a key pair)')
    .requiredOption('--name <name>', 'display name')
    .option('--public-key <file>', 'PEM file with the merchant RSA public key')
    .option('--generate-key <dir>', 'create a key pair and write the private key into <dir>')
    .option('--notify-url <url>', 'default notification URL')
    .option('--json', 'print one JSON object')
    .action((opts: CreateOptions) =>
      withRuntime(async (rt, config) => {
        if (!!opts.publicKey === !!opts.generateKey) {
          throw new Error('give exactly one of --public-key FILE or --generate-key DIR');
        }
        if (opts.notifyUrl) await assertNotifyUrlAllowed(config, opts.notifyUrl);
        const generated = opts.generateKey
          ? await generateMerchantKey(
              opts.generateKey,
              `merchant-${randomBytes(6).toString('hex')}-private-key.pem`,
            )
          : undefined;
        const publicKeyPem = generated?.publicKeyPem ?? readFileSync(opts.publicKey!, 'utf8');
        const { merchant: m, keyId } = await merchantService(rt).create({
          name: opts.name,
          publicKeyPem,
          notifyUrl: opts.notifyUrl,
        });
        const result: Record<string, unknown> = {
          merchant_id: m.merchant_id,
          name: m.name,
          key_id: keyId,
          client_key: m.client_key,
          // The PayKKa v3 app id (x-paykka-appid): a merchant's is its merchant id.
          app_id: m.merchant_id,
        };
        if (generated) result.private_key_file = generated.privateKeyFile;
        if (m.notify_url) result.notify_url = withoutCredentials(m.notify_url);
        const lines = [m.merchant_id, `client key: ${m.client_key}`, `v3 app id: ${m.merchant_id}`];
        if (generated) lines.push(`private key: ${generated.privateKeyFile}`);
        output(opts.json, result, lines.join('\n'));
      }),
    );

  merchant
    .command('list')
    .description('List merchants')
    .option('--json', 'print one JSON object')
    .action((opts: { json?: boolean }) =>
      withRuntime(async (rt) => {
        const merchants = await merchantService(rt).list();
        const lines = merchants.map(
          (m) =>
            `${m.merchant_id}  ${m.status.padEnd(8)}  ${m.client_key}  notify ${notifyProtocolName(m).padEnd(4)}  ${m.name}`,
        );
        const shown = merchants.map((m) => ({
          ...m,
          notify_url: m.notify_url === null ? null : withoutCredentials(m.notify_url),
        }));
        output(opts.json, { merchants: shown }, lines.join('\n') || '(no merchants)');
      }),
    );

  for (const [name, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    merchant
      .command(`${name} <merchantId>`)
      .description(`${enabled ? 'Enable' : 'Disable'} a merchant (takes effect on the next request)`)
      .action((merchantId: string) =>
        withRuntime(async (rt) => {
          await merchantService(rt).setEnabled(merchantId, enabled);
          process.stdout.write(`${merchantId} ${enabled ? 'enabled' : 'disabled'}\n`);
        }),
      );
  }

  merchant
    .command('set-notify-url <merchantId> [url]')
    .description('Set (or, without a URL, clear) the default notification URL')
    .action((merchantId: string, url: string | undefined) =>
      withRuntime(async (rt, config) => {
        if (url) await assertNotifyUrlAllowed(config, url);
        await merchantService(rt).setNotifyUrl(merchantId, url);
        process.stdout.write(`${merchantId} notify URL ${url ? `set to ${url}` : 'cleared'}\n`);
      }),
    );

  merchant
    .command('set-app-id <merchantId> [appId]')
    .description('Give the merchant its own PayKKa v3 app id (or, without one, use its merchant id again)')
    .action((merchantId: string, appId: string | undefined) =>
      withRuntime(async (rt) => {
        await merchantService(rt).setAppId(merchantId, appId ?? null);
        process.stdout.write(`${merchantId} v3 app id: ${appId ?? merchantId}\n`);
      }),
    );

  merchant
    .command('set-notify-protocol <merchantId> <protocol>')
    .description(
      `Send all the merchant's notifications as ${WIRES.join(' or ')}, or with ${AUTO} each as its order was created`,
    )
    .action((merchantId: string, protocol: string) => {
      // Refused before the store is opened: a typo changes nothing anywhere.
      const chosen = parseNotifyProtocol(protocol);
      return withRuntime(async (rt) => {
        await merchantService(rt).setNotifyProtocol(merchantId, chosen);
        process.stdout.write(`${merchantId} notify protocol: ${chosen ?? AUTO}\n`);
      });
    });

  merchant
    .command('add-key <merchantId> <file>')
    .description('Add a second active public key (for rotation)')
    .option('--json', 'print one JSON object')
    .action((merchantId: string, file: string, opts: { json?: boolean }) =>
      withRuntime(async (rt) => {
        const keyId = await merchantService(rt).addKey(merchantId, readFileSync(file, 'utf8'));
        output(opts.json, { merchant_id: merchantId, key_id: keyId }, keyId);
      }),
    );

  merchant
    .command('remove-key <merchantId> <keyId>')
    .description('Remove a public key')
    .action((merchantId: string, keyId: string) =>
      withRuntime(async (rt) => {
        await merchantService(rt).removeKey(merchantId, keyId);
        process.stdout.write(`${keyId} removed\n`);
      }),
    );

  merchant
    .command('keys <merchantId>')
    .description("List a merchant's signing key ids and its client key")
    .option('--json', 'print one JSON object')
    .action((merchantId: string, opts: { json?: boolean }) =>
      withRuntime(async (rt, config) => {
        const service = merchantService(rt);
        const keys = (await service.keys(merchantId)).map((k) => ({
          key_id: k.key_id,
          created_at: k.created_at,
        }));
        const clientKeys = clientKeyFields(await service.find(merchantId), Date.now());
        output(
          opts.json,
          { merchant_id: merchantId, keys, ...clientKeys },
          [...keys.map((k) => k.key_id), ...clientKeyLines(clientKeys, config.timeZone)].join('\n'),
        );
      }),
    );

  merchant
    .command('client-key <merchantId>')
    .description('Give the merchant a new client key (the key browser libraries name it by)')
    .option(
      '--grace <duration>',
      'how long the previous client key keeps working (0 for not at all)',
      `${DEFAULT_CLIENT_KEY_GRACE_MS / 3_600_000}h`,
    )
    .option('--json', 'print one JSON object')
    .action((merchantId: string, opts: { grace: string; json?: boolean }) =>
      withRuntime(async (rt, config) => {
        const graceMs = parseDuration(opts.grace, '--grace');
        const rotated = await merchantService(rt).rotateClientKey(merchantId, graceMs);
        const fields = clientKeyFields(rotated, Date.now());
        output(
          opts.json,
          { merchant_id: merchantId, ...fields },
          clientKeyLines(fields, config.timeZone).join('\n'),
        );
      }),
    );
}

/** The word for "no override": each notification in the wire its order was created over. */
const AUTO = 'auto';

/** The protocol as typed, `auto` being null; anything else is refused before the store is touched. */
function parseNotifyProtocol(value: string): Wire | null {
  if (value === AUTO) return null;
  if (isWire(value)) return value;
  throw new Error(`notify protocol must be ${WIRES.join(', ')} or ${AUTO}, not ${JSON.stringify(value)}`);
}

function notifyProtocolName(m: MerchantRow): string {
  return m.notify_protocol ?? AUTO;
}

interface ClientKeyFields {
  client_key: string;
  /** The key before the last rotation, while it still works; null otherwise. */
  previous_client_key: string | null;
  previous_client_key_expires_at: number | null;
}

function clientKeyFields(m: MerchantRow, now: number): ClientKeyFields {
  const working = m.previous_client_key_expires_at !== null && m.previous_client_key_expires_at > now;
  return {
    client_key: m.client_key,
    previous_client_key: working ? m.previous_client_key : null,
    previous_client_key_expires_at: working ? m.previous_client_key_expires_at : null,
  };
}

function clientKeyLines(k: ClientKeyFields, zone: TimeZone): string[] {
  const lines = [`client key: ${k.client_key}`];
  if (k.previous_client_key !== null && k.previous_client_key_expires_at !== null) {
    lines.push(
      `previous client key: ${k.previous_client_key} (works until ${formatTime(k.previous_client_key_expires_at, zone)})`,
    );
  }
  return lines;
}

/**
 * A merchant's default notify_url passes the outbound policy the gateway will apply to it, read
 * from the same settings (OPENKKA_NOTIFY_ALLOW, HOST, PORT): a refusal now beats one at every
 * delivery. Every delivery checks it again.
 */
async function assertNotifyUrlAllowed(config: Config, url: string): Promise<void> {
  await new OutboundPolicy(config, new HostResolver(systemClock)).assertAllowed(url);
}
