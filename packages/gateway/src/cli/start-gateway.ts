/**
 * What `openkka start` runs: the gateway on the configured store, its background jobs, and the
 * banner with a ready-to-use demo merchant. Loaded only by that command (cli/start.ts).
 */
import { SimulatedAcquirer } from '../acquirer/simulator.ts';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { systemClock } from '../domain/clock.ts';
import { isLoopbackHost } from '../http/public-url.ts';
import { createLogger } from '../logger.ts';
import { openRuntime } from '../runtime.ts';
import { closeOnSignals, listen } from '../server.ts';
import { KeyRotation } from '../vault/rotation.ts';
import { ensureDemoMerchant, paymentExample, sessionExample } from './demo.ts';

export async function startGateway(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const rt = await openRuntime(config, (message) => logger.warn(message));
  const acquirer = new SimulatedAcquirer({
    latencyMs: config.acquirerLatencyMs,
    failureRate: config.acquirerFailureRate,
    refundFailureDelayMs: config.simRefundFailureDelayMs,
  });
  const { app, admin, merchants, jobs, dispatcher } = buildApp({
    ...rt,
    acquirer,
    clock: systemClock,
    logger,
    settings: config,
  });
  // Adopts a changed master keyring and re-encrypts stored cards, without a restart.
  const { store, vault } = rt;
  const keyRotation = new KeyRotation({ store, vault, clock: systemClock, log: logger });
  app.addHook('onClose', () => keyRotation.stop());
  const url = await listen(app, config.host, config.port);
  const adminUrl =
    admin && config.adminListen
      ? await listen(admin, config.adminListen.host, config.adminListen.port)
      : undefined;
  closeOnSignals(app, rt.store);
  jobs.start(config.jobsIntervalMs);
  dispatcher.start(config.jobsIntervalMs);
  keyRotation.start();
  logger.info({ url, adminUrl, store: rt.store.location }, 'openkka listening');
  // Without it, the pages' URLs name the listen address, which shoppers elsewhere cannot reach.
  const unsetPublicUrl = !config.publicUrl && !isLoopbackHost(config.host);
  if (unsetPublicUrl) logger.warn({ url }, PUBLIC_URL_WARNING);

  const demo = await ensureDemoMerchant(rt.store, merchants, config.dataDir);
  const lines = [`openkka is listening on ${url} (store: ${rt.store.location})`];
  if (adminUrl) lines.push(`Admin API on ${adminUrl} (only there)`);
  if (unsetPublicUrl) lines.push('', `WARNING: ${PUBLIC_URL_WARNING}`);
  lines.push('');
  if (demo) {
    const expYear = new Date().getUTCFullYear() + 3;
    lines.push(
      `Demo merchant: ${demo.merchantId}`,
      `Private key:   ${demo.keyFile}`,
      'Platform public key (verifies every response): npx openkka keys platform',
      '',
      'A first signed payment (bash, openssl, curl):',
      '',
      paymentExample(url, demo, expYear),
      '',
      'A hosted checkout session: open the session_url it answers in a browser and pay with',
      'the test card 4242 4242 4242 4242 (any future expiry, any CVV):',
      '',
      sessionExample(url, demo),
      '',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

const PUBLIC_URL_WARNING =
  'OPENKKA_PUBLIC_URL is not set and the gateway listens beyond loopback: the 3-D Secure, ' +
  'redirect and checkout URLs handed to shoppers name the address a request arrived at, ' +
  'which shoppers may not reach. Set OPENKKA_PUBLIC_URL to the URL their browsers use ' +
  '(e.g. https://pay.example.com).';
