/**
 * `openkka google-pay test-token`: a Google Pay token as Google would send it, signed by this
 * store's sandbox root and encrypted to its recipient key, for tests and the docs. With
 * --amount it prints a whole /payments body around the token.
 */
import type { Command } from 'commander';
import { parseDuration } from '../config.ts';
import { mintSandboxToken } from '../modules/wallets/google-pay/sandbox-token.ts';
import { withRuntime } from './context.ts';

interface TestTokenFlags {
  card: string;
  expiry: string;
  authMethod: string;
  expiresIn: string;
  expired?: boolean;
  recipient?: string;
  amount?: string;
  currency: string;
  transId?: string;
  returnUrl: string;
}

function expiry(text: string): { expMonth: number; expYear: number } {
  const match = /^(\d{1,2})\/(\d{4})$/.exec(text);
  if (!match) throw new Error(`--expiry: "${text}" is not MM/YYYY`);
  return { expMonth: Number(match[1]), expYear: Number(match[2]) };
}

export function registerGooglePayCommands(program: Command): void {
  const googlePay = program.command('google-pay').description('Google Pay tokens for tests');
  googlePay
    .command('test-token')
    .description('Mint a Google Pay token (ECv2) signed by the sandbox root, encrypted to openkka')
    .requiredOption('--card <pan>', 'the card number inside the token (e.g. 4242424242424242)')
    .option('--expiry <MM/YYYY>', 'the card expiry', `12/${new Date().getUTCFullYear() + 3}`)
    .option('--auth-method <method>', 'CRYPTOGRAM_3DS or PAN_ONLY', 'CRYPTOGRAM_3DS')
    .option('--expires-in <duration>', 'how long the token stays valid', '1h')
    .option('--expired', 'make a token whose message expired a minute ago (refused with 5024)')
    .option('--recipient <id>', 'the recipient id the token is signed for', 'gateway:openkka')
    .option('--amount <minor>', 'print a /payments body for this amount (minor units) around the token')
    .option('--currency <code>', 'with --amount: the currency', 'USD')
    .option('--trans-id <id>', 'with --amount: the trans_id (gpay-<epoch ms> unless given)')
    .option('--return-url <url>', 'with --amount: the return_url', 'https://shop.example/return')
    .action((flags: TestTokenFlags) => {
      // Every flag is checked before the store is opened, so a typo changes nothing.
      if (flags.authMethod !== 'CRYPTOGRAM_3DS' && flags.authMethod !== 'PAN_ONLY') {
        throw new Error('--auth-method must be CRYPTOGRAM_3DS or PAN_ONLY');
      }
      if (!/^\d{12,19}$/.test(flags.card)) throw new Error('--card must be 12 to 19 digits');
      const card = expiry(flags.expiry);
      const lifetime = parseDuration(flags.expiresIn, '--expires-in');
      const amount = flags.amount === undefined ? undefined : Number(flags.amount);
      if (amount !== undefined && !(Number.isInteger(amount) && amount > 0)) {
        throw new Error('--amount must be a positive whole number');
      }
      return withRuntime(async (rt, config) => {
        if (config.googlePayRootKeysFile) {
          process.stderr.write(
            'openkka: OPENKKA_GOOGLE_PAY_ROOT_KEYS is set, so this gateway verifies against those roots ' +
              'and refuses sandbox tokens (5020)\n',
          );
        }
        const now = Date.now();
        const token = await mintSandboxToken(rt.store, rt.vault, {
          pan: flags.card,
          ...card,
          authMethod: flags.authMethod as 'CRYPTOGRAM_3DS' | 'PAN_ONLY',
          now,
          messageExpiresAt: flags.expired ? now - 60_000 : now + lifetime,
          ...(flags.recipient ? { recipientId: flags.recipient } : {}),
        });
        if (amount === undefined) {
          process.stdout.write(`${token}\n`);
          return;
        }
        const body = {
          trans_id: flags.transId ?? `gpay-${now}`,
          payment_type: 'PURCHASE',
          currency: flags.currency,
          amount,
          return_url: flags.returnUrl,
          payment: { payment_method: 'GOOGLE_PAY', token_data: token },
        };
        process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      });
    });
}
