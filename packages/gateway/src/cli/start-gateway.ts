/**
 * What `openkka start` runs: one serving process (serve-gateway.ts) and the banner with a
 * ready-to-use demo merchant, or with `--workers N` (N > 1) a node:cluster primary and its
 * workers (cluster/). Loaded only by that command (cli/start.ts).
 */
import cluster from 'node:cluster';
import { type Config, loadConfig, parseWorkers } from '../config.ts';
import { isLoopbackHost } from '../http/public-url.ts';
import { createGatewayLog, type GatewayLog, resolveLogFormat } from '../logger.ts';
import { banner, dashboardFacts, PUBLIC_URL_WARNING } from './banner.ts';
import { type DemoSetup, prepareDemo, withDemoToken } from './demo-setup.ts';
import { serveGateway } from './serve-gateway.ts';

export interface StartOptions {
  /** `--workers`, which wins over OPENKKA_WORKERS. */
  workers?: string | undefined;
}

export async function startGateway(options: StartOptions = {}): Promise<void> {
  const env =
    options.workers === undefined
      ? process.env
      : { ...process.env, OPENKKA_WORKERS: String(parseWorkers(options.workers, '--workers')) };
  const config = loadConfig(env);
  const format = resolveLogFormat(config.logFormat);
  // Workers inherit the environment: they log as the primary decided from its own stderr.
  if (cluster.isPrimary) process.env.OPENKKA_LOG_FORMAT = format;
  const log = createGatewayLog(config.logLevel, format, { holdUntilBanner: cluster.isPrimary });
  try {
    await start(config, log);
  } finally {
    // On a failed start too: what was held tells why.
    log.afterBanner();
  }
}

async function start(config: Config, log: GatewayLog): Promise<void> {
  const { logger } = log;
  if (config.workers > 1) {
    // Each side loads only its own part: a worker runs this same command, forked by the primary.
    if (cluster.isPrimary) return (await import('./cluster/primary.ts')).runPrimary(config, logger);
    return (await import('./cluster/worker.ts')).runWorker(config, logger);
  }
  let setup: DemoSetup = { demo: undefined, adminToken: undefined };
  const { runtime, url, adminUrl } = await serveGateway(config, logger, async (rt) => {
    setup = await prepareDemo(rt.store, config, (message) => logger.warn(message));
    return withDemoToken(config, setup);
  });
  // Without it, the pages' URLs name the listen address, which shoppers elsewhere cannot reach.
  const unsetPublicUrl = !config.publicUrl && !isLoopbackHost(config.host);
  if (unsetPublicUrl) logger.warn({ url }, PUBLIC_URL_WARNING);
  process.stdout.write(
    banner({
      url,
      adminUrl,
      store: runtime.store.location,
      workers: 1,
      unsetPublicUrl,
      demo: setup.demo,
      dashboard: dashboardFacts(config, setup),
    }),
  );
}
