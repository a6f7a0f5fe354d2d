/**
 * The primary of `openkka start --workers N` (N > 1). It prepares the store once — migrations,
 * data keys, platform key, the demo merchant — so workers never race on them, closes it, forks
 * the workers (supervisor.ts) and prints the banner once all of them listen. It serves no
 * request and keeps no store connection: node:cluster's primary only hands each connection to
 * a worker.
 */
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import { MerchantRepo } from '../../core/merchants/repo.ts';
import { MerchantService } from '../../core/merchants/service.ts';
import { systemClock } from '../../domain/clock.ts';
import { isLoopbackHost } from '../../http/public-url.ts';
import { openRuntime } from '../../runtime.ts';
import { banner, PUBLIC_URL_WARNING } from '../banner.ts';
import { type DemoMerchant, ensureDemoMerchant } from '../demo.ts';
import { Supervisor } from './supervisor.ts';

export async function runPrimary(config: Config, logger: Logger): Promise<void> {
  const { store, demo } = await prepareStore(config, logger);
  const supervisor = new Supervisor({
    workers: config.workers,
    drainTimeoutMs: config.drainTimeoutMs,
    log: logger,
  });
  const { url, adminUrl } = await supervisor.start();
  // Without it, the pages' URLs name the listen address, which shoppers elsewhere cannot reach.
  const unsetPublicUrl = !config.publicUrl && !isLoopbackHost(config.host);
  if (unsetPublicUrl) logger.warn({ url }, PUBLIC_URL_WARNING);
  process.stdout.write(banner({ url, adminUrl, store, workers: config.workers, unsetPublicUrl, demo }));
}

/** Opens the store (which migrates it), makes the demo merchant on an empty one, and closes it. */
async function prepareStore(
  config: Config,
  logger: Logger,
): Promise<{ store: string; demo: DemoMerchant | undefined }> {
  const rt = await openRuntime(config, (message) => logger.warn(message));
  try {
    const merchants = new MerchantService(new MerchantRepo(rt.store), systemClock);
    const demo = await ensureDemoMerchant(rt.store, merchants, config.dataDir);
    return { store: rt.store.location, demo };
  } finally {
    await rt.store.close();
  }
}
