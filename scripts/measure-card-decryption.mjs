#!/usr/bin/env node
// What opening one encrypted card costs in CPU, without a profiler (whose sampling inflates
// short native calls): the OpenSSL and Node crypto calls every X25519 card needs, each alone,
// then the gateway's whole CardDecryption.open over the same cards, in each layout (one JWE
// per card, one per field). Medians of seven rounds of 4,000 cards, µs of process CPU per card.
// Needs `npm run build`. docs/benchmarks.md, "Encrypted cards".
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
/** The request's fields of `CARDS` cards in `layout`, each read from JSON as a body's would be. */
const cardsIn = (layout) =>
  Array.from({ length: CARDS }, () => {
    const made = encryptCard({
      key: x25519PublicKeyOf(gatewayKey),
      clientKey: CLIENT_KEY,
      card: { number: '4242424242424242', expiryMonth: '12', expiryYear: '2029', cvv: '123' },
      now: NOW,
      layout,
    });
    const f = JSON.parse(JSON.stringify(made));
    return {
      card_no: f.encrypted_card_no,
      exp_month: f.encrypted_exp_month,
      exp_year: f.encrypted_exp_year,
      cvv: f.encrypted_cvv,
    };
  });
const perCard = cardsIn('per-card');
const perField = cardsIn('per-field');
const parsedCards = perCard.map((f) => parseCompactJwe(f.card_no));
const parsedFields = perField.map((f) => Object.values(f).map((text) => parseCompactJwe(text)));
const epks = parsedCards.map((jwe) => jwe.header.epk.x);
const publicKeys = epks.map((x) => createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' }));
const secrets = publicKeys.map((publicKey) => diffieHellman({ privateKey: decrypting.x25519, publicKey }));
// Each card's own content key, so every opening passes its tag check as a real one does.
const cardKeys = secrets.map((secret) => contentKey(secret));
const fieldKeys = parsedFields.map(([first]) =>
  contentKey(
    diffieHellman({
      privateKey: decrypting.x25519,
      publicKey: createPublicKey({
        key: { kty: 'OKP', crv: 'X25519', x: first.header.epk.x },
        format: 'jwk',
      }),
    }),
  ),
);

/** Median µs of process CPU per card over the rounds, after one round of warm-up. */
async function measure(step) {
  const perRound = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const before = process.cpuUsage();
    for (let i = 0; i < CARDS; i++) await step(i);
    const used = process.cpuUsage(before);
    if (round > 0) perRound.push((used.user + used.system) / CARDS);
  }
  perRound.sort((a, b) => a - b);
  return perRound[Math.floor(perRound.length / 2)];
}

function openJwe(key, jwe) {
  const decipher = createDecipheriv('aes-256-gcm', key, jwe.iv, { authTagLength: 16 });
  decipher.setAAD(jwe.aad);
  decipher.setAuthTag(jwe.tag);
  decipher.update(jwe.ciphertext);
  decipher.final();
}

const decryption = new CardDecryption({ forKid: async () => decrypting }, new ManualClock(NOW));
const merchant = { client_key: CLIENT_KEY };
for (const fields of [perCard[0], perField[0]]) {
  const opened = await decryption.open(merchant, fields);
  if (opened.kind !== 'card') throw new Error(`the measured cards do not open: ${opened.reason}`);
}

const crypto = [
  [
    'importing the ephemeral key (JWK → KeyObject)',
    (i) => createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: epks[i] }, format: 'jwk' }),
  ],
  [
    'X25519 agreement (diffieHellman)',
    (i) => diffieHellman({ privateKey: decrypting.x25519, publicKey: publicKeys[i] }),
  ],
  ['Concat KDF (one SHA-256)', (i) => contentKey(secrets[i])],
  ['one AES-GCM opening (a JWE per card)', (i) => openJwe(cardKeys[i], parsedCards[i])],
  [
    'four AES-GCM openings (a JWE per field)',
    (i) => {
      for (const jwe of parsedFields[i]) openJwe(fieldKeys[i], jwe);
    },
  ],
];
const whole = [
  ['CardDecryption.open, a JWE per card', (i) => decryption.open(merchant, perCard[i])],
  ['CardDecryption.open, a JWE per field', (i) => decryption.open(merchant, perField[i])],
];
const width = Math.max(...[...crypto, ...whole].map(([name]) => name.length), 40);
const line = (name, us) => process.stdout.write(`${name.padEnd(width)}  ${us.toFixed(1)} µs\n`);
const figures = [];
for (const [name, step] of crypto) {
  figures.push(await measure(step));
  line(name, figures.at(-1));
}
const common = figures[0] + figures[1] + figures[2];
line('the crypto of a card, a JWE per card', common + figures[3]);
line('the crypto of a card, a JWE per field', common + figures[4]);
for (const [name, step] of whole) line(name, await measure(step));
