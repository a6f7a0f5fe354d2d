/**
 * One serving process of `openkka start`: the gateway on the configured store, listening, its
 * background jobs and key rotation running, and a graceful shutdown on SIGTERM/SIGINT. The
 * single process of `--workers 1` is one, and so is each worker of a cluster (cluster/).
 */
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { SimulatedAcquirer } from '../acquirer/simulator.ts';
import { buildApp } from '../app.ts';
import type { Config } from '../config.ts';
import type { MerchantService } from '../core/merchants/service.ts';
import { systemClock } from '../domain/clock.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { closeOnSignals, listen } from '../server.ts';
import { KeyRotation } from '../vault/rotation.ts';
import { clusterScrape } from './cluster/metrics.ts';

export interface Serving {
  runtime: Runtime;
  merchants: MerchantService;
  url: string;
  adminUrl: string | undefined;
  /** The listeners' servers, for a worker's connection log. */
  servers: { public: Server; admin: Server | undefined };
}

/**
 * `prepare` runs on the opened store before the gateway is built, and may settle the
 * configuration it is built with (the single process's demo setup; a worker has none).
 */
export async function serveGateway(
  baseConfig: Config,
  logger: Logger,
  prepare?: (rt: Runtime) => Promise<Config>,
): Promise<Serving> {
  const rt = await openRuntime(baseConfig, (message) => logger.warn(message));
  let config = baseConfig;
  try {
    if (prepare) config = await prepare(rt);
  } catch (err) {
    await rt.store.close();
    throw err;
  }
  const acquirer = new SimulatedAcquirer({
    latencyMs: config.acquirerLatencyMs,
    failureRate: config.acquirerFailureRate,
    refundFailureDelayMs: config.simRefundFailureDelayMs,
  });
  const { app, admin, merchants, jobs, dispatcher, readiness } = buildApp({
    ...rt,
    acquirer,
    clock: systemClock,
    logger,
    settings: config,
    // A worker answers a scrape for the whole cluster (cluster/metrics.ts).
    clusterMetrics: cluster.isWorker ? clusterScrape : undefined,
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
  closeOnSignals(app, rt.store, { readiness, delayMs: config.shutdownDelayMs });
  jobs.start(config.jobsIntervalMs);
  dispatcher.start(config.jobsIntervalMs);
  keyRotation.start();
  logger.info({ url, adminUrl, store: rt.store.location }, 'openkka listening');
  return {
    runtime: rt,
    merchants,
    url,
    adminUrl,
    servers: { public: app.server, admin: adminUrl ? admin?.server : undefined },
  };
}
