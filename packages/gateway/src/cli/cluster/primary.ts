/**
 * The primary of `openkka start --workers N` (N > 1). It prepares the store once — migrations,
 * data keys, platform key, the demo merchant — so workers never race on them, closes it, forks
 * the workers (supervisor.ts) and prints the banner once all of them listen. It serves no
 * request and keeps no store connection: node:cluster's primary only hands each connection to
 * a worker.
 */
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import { isLoopbackHost } from '../../http/public-url.ts';
import { openRuntime } from '../../runtime.ts';
import { banner, dashboardFacts, PUBLIC_URL_WARNING } from '../banner.ts';
import { type DemoSetup, prepareDemo } from '../demo-setup.ts';
import { Supervisor } from './supervisor.ts';

export async function runPrimary(config: Config, logger: Logger): Promise<void> {
  const { store, setup } = await prepareStore(config, logger);
  // The workers build their gateway from the environment they inherit: the demo's token too.
  if (setup.adminToken) process.env.OPENKKA_ADMIN_TOKEN = setup.adminToken.token;
  const supervisor = new Supervisor({
    workers: config.workers,
    drainTimeoutMs: config.drainTimeoutMs,
    log: logger,
  });
  const { url, adminUrl } = await supervisor.start();
  // Without it, the pages' URLs name the listen address, which shoppers elsewhere cannot reach.
  const unsetPublicUrl = !config.publicUrl && !isLoopbackHost(config.host);
  if (unsetPublicUrl) logger.warn({ url }, PUBLIC_URL_WARNING);
  const dashboard = dashboardFacts(config, setup);
  process.stdout.write(
    banner({ url, adminUrl, store, workers: config.workers, unsetPublicUrl, demo: setup.demo, dashboard }),
  );
}

/** Opens the store (which migrates it), prepares the demo on an empty one, and closes it. */
async function prepareStore(config: Config, logger: Logger): Promise<{ store: string; setup: DemoSetup }> {
  const rt = await openRuntime(config, (message) => logger.warn(message));
  try {
    const setup = await prepareDemo(rt.store, config, (message) => logger.warn(message));
    return { store: rt.store.location, setup };
  } finally {
    await rt.store.close();
  }
}
