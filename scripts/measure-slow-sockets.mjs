#!/usr/bin/env node
// What slow sockets cost a normal client (docs/security.md, "Timeouts, rate limits and
// sockets"): `openkka start` (the build, SQLite, default settings), then 200 signed payments
// one after the other with no other connection open, then again while 400 sockets dribble
// headers and bodies one byte a second, from one address (the default cap of 256 per address
// closes the rest at once) and from four (all 400 held), then with none again. Prints each
// run's median and p99.
//   node scripts/measure-slow-sockets.mjs
import { spawn } from 'node:child_process';
import { createPrivateKey, createSign, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const data = mkdtempSync(join(tmpdir(), 'openkka-slow-sockets-'));
const env = {
  ...process.env,
  OPENKKA_DATA_DIR: data,
  HOST: '127.0.0.1',
  PORT: '0',
  OPENKKA_LOG_LEVEL: 'warn',
};
delete env.DATABASE_URL;
const gateway = spawn(process.execPath, [join(root, 'packages/gateway/bin/openkka.cjs'), 'start'], { env });

const banner = await new Promise((resolve, reject) => {
  let out = '';
  gateway.stdout.on('data', (chunk) => {
    out += chunk;
    if (/; echo\n/.test(out)) resolve(out);
  });
  gateway.once('exit', (code) => reject(new Error(`openkka start exited (${code})`)));
});
const base = new URL(/^openkka is listening on (\S+)/m.exec(banner)[1]);
const merchantId = /^Demo merchant: (\d+)/m.exec(banner)[1];
const key = createPrivateKey(readFileSync(/^Private key: +(.+)$/m.exec(banner)[1].trim()));
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function pay() {
  const timestamp = Date.now();
  const body = JSON.stringify({
    merchant_id: merchantId,
    timestamp,
    trans_id: randomUUID(),
    payment_type: 'PURCHASE',
    currency: 'USD',
    amount: 1000,
    return_url: 'https://shop.example/return',
    payment: {
      payment_method: 'BANKCARD',
      card_no: '4242424242424242',
      exp_month: '12',
      exp_year: '2035',
      cvv: '123',
    },
  });
  const signature = createSign('sha256')
    .update(`merchantId=${merchantId}&timestamp=${timestamp}&requestBody=${body}`)
    .sign(key, 'base64');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        path: '/apis/payments',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', signature, type: 'RSA256', version: 'v1.2' },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(performance.now() - started)
            : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function run(label) {
  for (let i = 0; i < 20; i++) await pay(); // warm-up
  const ms = [];
  for (let i = 0; i < 200; i++) ms.push(await pay());
  ms.sort((a, b) => a - b);
  const at = (q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))].toFixed(2);
  console.log(`${label}: median ${at(0.5)} ms, p99 ${at(0.99)} ms`);
}

/** `count` sockets from `from`, half dribbling headers, half a body, one byte a second. */
async function slowSockets(count, from) {
  const sockets = [];
  for (let i = 0; i < count; i++) {
    const socket = connect({ host: base.hostname, port: Number(base.port), localAddress: from });
    socket.on('error', () => {});
    await new Promise((resolve) => {
      socket.once('connect', resolve);
      socket.once('close', resolve);
    });
    const head = `POST /apis/payments HTTP/1.1\r\nHost: x\r\n${i % 2 ? 'Content-Length: 60000\r\n\r\n{' : ''}`;
    socket.write(head);
    sockets.push(socket);
  }
  const timer = setInterval(() => {
    for (const s of sockets) if (!s.destroyed) s.write(s.bytesWritten % 2 ? 'a' : 'X');
  }, 1000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const open = () => sockets.filter((s) => !s.destroyed).length;
  return {
    open,
    close: () => {
      clearInterval(timer);
      for (const s of sockets) s.destroy();
    },
  };
}

try {
  await run('no other socket');
  const slow = await slowSockets(400, '127.0.0.2');
  console.log(`400 slow sockets from 127.0.0.2: ${slow.open()} held`);
  await run('400 slow sockets from one address');
  console.log(`  still held after the run: ${slow.open()}`);
  slow.close();
  const four = await Promise.all(
    ['127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'].map((a) => slowSockets(100, a)),
  );
  console.log(`400 slow sockets from four addresses: ${four.reduce((n, s) => n + s.open(), 0)} held`);
  await run('400 slow sockets from four addresses');
  console.log(`  still held after the run: ${four.reduce((n, s) => n + s.open(), 0)}`);
  for (const s of four) s.close();
  // Once more without them: the first run also pays for the process warming up.
  await run('no other socket, again');
} finally {
  agent.destroy();
  gateway.kill('SIGTERM');
  await new Promise((resolve) => gateway.once('exit', resolve));
  rmSync(data, { recursive: true, force: true });
}
