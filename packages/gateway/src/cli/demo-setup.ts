/**
 * What a start prepares for a newcomer before the gateway is built: the demo merchant on an
 * empty store and, beside it, the demo's admin token (so /dashboard opens with the token the
 * banner points to). Only a data dir that holds the demo merchant's key gets a token made: an
 * operator's store, whose merchants came another way, keeps the admin API off until
 * OPENKKA_ADMIN_TOKEN turns it on.
 */
import type { Config } from '../config.ts';
import { MerchantRepo } from '../core/merchants/repo.ts';
import { MerchantService } from '../core/merchants/service.ts';
import { systemClock } from '../domain/clock.ts';
import type { Store } from '../store/db.ts';
import type { Warn } from '../store/private-files.ts';
import { type DemoMerchant, ensureDemoMerchant } from './demo.ts';
import { type DemoAdminToken, demoAdminToken } from './demo-admin-token.ts';

export interface DemoSetup {
  demo: DemoMerchant | undefined;
  /** Set when the dashboard's token is the demo's file, not OPENKKA_ADMIN_TOKEN. */
  adminToken: DemoAdminToken | undefined;
}

export async function prepareDemo(store: Store, config: Config, warn: Warn): Promise<DemoSetup> {
  const merchants = new MerchantService(new MerchantRepo(store), systemClock);
  const demo = await ensureDemoMerchant(store, merchants, config.dataDir);
  const adminToken = config.adminToken ? undefined : demoAdminToken(config.dataDir, demo !== undefined, warn);
  return { demo, adminToken };
}

/** The configuration the gateway is built with: the demo's admin token where it has one. */
export function withDemoToken(config: Config, setup: DemoSetup): Config {
  return setup.adminToken ? { ...config, adminToken: setup.adminToken.token } : config;
}
