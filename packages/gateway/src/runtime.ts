/**
 * Opens what both the server and the CLI work on: the migrated store, the master keyring and
 * vault, and the platform key. One place, so `openkka merchant create` on a fresh data dir
 * prepares the store exactly as `openkka start` would.
 */
import type { KeyObject } from 'node:crypto';
import type { Config } from './config.ts';
import { openStore, type Store } from './store/db.ts';
import { type Warn, warnOnStderr } from './store/private-files.ts';
import { loadKeyring } from './vault/keyring.ts';
import { loadPlatformKey } from './vault/platform-key.ts';
import { Vault } from './vault/vault.ts';

export interface Runtime {
  store: Store;
  vault: Vault;
  platformKey: KeyObject;
  platformPublicKeyPem: string;
}

/** `warn`: where a warning about a data dir or file open to other users goes (stderr unless given). */
export async function openRuntime(config: Config, warn: Warn = warnOnStderr): Promise<Runtime> {
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pgPoolSize: config.pgPoolSize,
    warn,
  });
  try {
    const vault = await Vault.open(store, loadKeyring(config.dataDir, config.masterKey, warn));
    const platform = await loadPlatformKey(store, vault, config.platformKeyFile);
    return { store, vault, platformKey: platform.privateKey, platformPublicKeyPem: platform.publicKeyPem };
  } catch (err) {
    await store.close();
    throw err;
  }
}
