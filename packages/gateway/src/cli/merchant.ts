/** `openkka merchant create | list | disable | enable | add-key | remove-key | keys` */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
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
      withRuntime(async (rt) => {
        if (!!opts.publicKey === !!opts.generateKey) {
          throw new Error('give exactly one of --public-key FILE or --generate-key DIR');
        }
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
        const result: Record<string, unknown> = { merchant_id: m.merchant_id, name: m.name, key_id: keyId };
        if (generated) result.private_key_file = generated.privateKeyFile;
        if (m.notify_url) result.notify_url = m.notify_url;
        const text = generated ? `${m.merchant_id}\nprivate key: ${generated.privateKeyFile}` : m.merchant_id;
        output(opts.json, result, text);
      }),
    );

  merchant
    .command('list')
    .description('List merchants')
    .option('--json', 'print one JSON object')
    .action((opts: { json?: boolean }) =>
      withRuntime(async (rt) => {
        const merchants = await merchantService(rt).list();
        const lines = merchants.map((m) => `${m.merchant_id}  ${m.status.padEnd(8)}  ${m.name}`);
        output(opts.json, { merchants }, lines.join('\n') || '(no merchants)');
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
      withRuntime(async (rt) => {
        await merchantService(rt).setNotifyUrl(merchantId, url);
        process.stdout.write(`${merchantId} notify URL ${url ? `set to ${url}` : 'cleared'}\n`);
      }),
    );

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
    .description("List a merchant's key ids")
    .option('--json', 'print one JSON object')
    .action((merchantId: string, opts: { json?: boolean }) =>
      withRuntime(async (rt) => {
        const keys = (await merchantService(rt).keys(merchantId)).map((k) => ({
          key_id: k.key_id,
          created_at: k.created_at,
        }));
        output(opts.json, { merchant_id: merchantId, keys }, keys.map((k) => k.key_id).join('\n'));
      }),
    );
}
