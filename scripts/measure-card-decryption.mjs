#!/usr/bin/env node
// What opening one encrypted card costs in CPU, without a profiler (whose sampling inflates
// short native calls): the OpenSSL and Node crypto calls every X25519 card needs, each alone,
// then the gateway's whole CardDecryption.open over the same cards. Medians of seven rounds of
// 4,000 cards, µs of process CPU per card. Needs `npm run build`. docs/benchmarks.md,
// "Encrypted cards".
//   node scripts/measure-card-decryption.mjs
import { createDecipheriv, createPublicKey, diffieHellman } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = (path) => import(pathToFileURL(join(ROOT, path)).href);
const { contentKey, encryptCard, parseCompactJwe } = await load('packages/sdk/dist/esm/card-encryption.js');
const { ManualClock } = await load('packages/gateway/dist/domain/clock.js');
const { CardDecryption } = await load('packages/gateway/dist/modules/client-encryption/card-decryption.js');
const { decryptingKey, x25519PublicKeyOf } = await load(
  'packages/gateway/dist/modules/client-encryption/gateway-keys.js',
);
const { newGatewayKey } = await load('packages/gateway/dist/vault/card-encryption-keys.js');

const CARDS = 4_000;
const ROUNDS = 7;
const NOW = Date.UTC(2026, 0, 1);
const CLIENT_KEY = `ck_${'0'.repeat(32)}`;
const gatewayKey = newGatewayKey(NOW - 60_000);
const decrypting = decryptingKey(gatewayKey);
const cards = Array.from({ length: CARDS }, () =>
  encryptCard({
    key: x25519PublicKeyOf(gatewayKey),
    clientKey: CLIENT_KEY,
    card: { number: '4242424242424242', expiryMonth: '12', expiryYear: '2029', cvv: '123' },
    now: NOW,
  }),
);
const fieldsOf = (card) => ({
  card_no: card.encrypted_card_no,
  exp_month: card.encrypted_exp_month,
  exp_year: card.encrypted_exp_year,
  cvv: card.encrypted_cvv,
});
const parsed = cards.map((card) => Object.values(fieldsOf(card)).map((text) => parseCompactJwe(text)));
const epks = parsed.map(([first]) => first.header.epk.x);
const publicKeys = epks.map((x) => createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' }));
// Each card's own content key, so every opening passes its tag check as a real one does.
const ceks = publicKeys.map((publicKey) =>
  contentKey(diffieHellman({ privateKey: decrypting.x25519, publicKey })),
);
/** Median µs of process CPU per card over the rounds, after one round of warm-up. */
async function measure(step) {
  const perCard = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const before = process.cpuUsage();
    for (let i = 0; i < CARDS; i++) await step(i);
    const used = process.cpuUsage(before);
    if (round > 0) perCard.push((used.user + used.system) / CARDS);
  }
  perCard.sort((a, b) => a - b);
  return perCard[Math.floor(perCard.length / 2)];
}

function openField(key, jwe) {
  const decipher = createDecipheriv('aes-256-gcm', key, jwe.iv, { authTagLength: 16 });
  decipher.setAAD(jwe.aad);
  decipher.setAuthTag(jwe.tag);
  decipher.update(jwe.ciphertext);
  decipher.final();
}

const decryption = new CardDecryption({ forKid: async () => decrypting }, new ManualClock(NOW));
const merchant = { client_key: CLIENT_KEY };
const opened = await decryption.open(merchant, fieldsOf(cards[0]));
if (opened.kind !== 'card') throw new Error(`the measured cards do not open: ${opened.reason}`);

const rows = [
  [
    'importing the ephemeral key (JWK → KeyObject)',
    (i) => createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: epks[i] }, format: 'jwk' }),
  ],
  [
    'X25519 agreement (diffieHellman)',
    (i) => diffieHellman({ privateKey: decrypting.x25519, publicKey: publicKeys[i] }),
  ],
  ['Concat KDF (one SHA-256)', (i) => contentKey(ceks[i])],
  [
    'four AES-GCM openings',
    (i) => {
      for (const jwe of parsed[i]) openField(ceks[i], jwe);
    },
  ],
  ["the gateway's CardDecryption.open, all of it", (i) => decryption.open(merchant, fieldsOf(cards[i]))],
];
const width = Math.max(...rows.map(([name]) => name.length));
let floor = 0;
for (const [index, [name, step]] of rows.entries()) {
  const us = await measure(step);
  if (index < rows.length - 1) floor += us;
  else process.stdout.write(`${'the four crypto steps together'.padEnd(width)}  ${floor.toFixed(1)} µs\n`);
  process.stdout.write(`${name.padEnd(width)}  ${us.toFixed(1)} µs\n`);
}
