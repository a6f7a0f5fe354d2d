/**
 * Global setup of the `e2e` test project: finds the headless Chromium the browser tests drive,
 * in this order, proves it starts, and says which in one line:
 *   1. OPENKKA_TEST_CHROMIUM, when set;
 *   2. a system Chromium or Chrome (/usr/bin/chromium, then chromium, chromium-browser,
 *      google-chrome, google-chrome-stable on the PATH);
 *   3. the Chromium that the npm package `@sparticuz/chromium` ships (Linux x64), unpacked once
 *      into node_modules/.cache/openkka-chromium.
 * The tests read the choice from OPENKKA_TEST_CHROMIUM, which the workers inherit.
 */
import { accessSync, constants, mkdirSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../e2e/browser.ts';

const say = (line: string) => console.log(`[openkka tests] Chromium: ${line}`);
const SYSTEM = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const INSTALL =
  'Install one (Debian/Ubuntu: `sudo apt-get install -y chromium fonts-noto-cjk`) or set OPENKKA_TEST_CHROMIUM to a Chromium or Chrome binary.';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

async function bundled(): Promise<string> {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(
      `The e2e tests need Chromium: none was found, and the bundled one is built for Linux x64 only. ${INSTALL}`,
    );
  // The package unpacks into os.tmpdir(); point that at a cache of this checkout's own, so that
  // users and checkouts on one machine neither share nor fight over one /tmp/chromium.
  const cache = fileURLToPath(new URL('../../../../node_modules/.cache/openkka-chromium/', import.meta.url));
  const tmp = process.env.TMPDIR;
  try {
    mkdirSync(cache, { recursive: true });
    process.env.TMPDIR = cache;
    const { default: packaged } = await import('@sparticuz/chromium');
    return await packaged.executablePath();
  } catch (err) {
    throw new Error(
      `The e2e tests need Chromium: none was found, and the bundled one did not unpack (${(err as Error).message}). ${INSTALL}`,
    );
  } finally {
    if (tmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmp;
  }
}

async function find(): Promise<{ path: string; source: string }> {
  const given = process.env.OPENKKA_TEST_CHROMIUM;
  if (given) return { path: given, source: 'OPENKKA_TEST_CHROMIUM' };
  if (executable('/usr/bin/chromium')) return { path: '/usr/bin/chromium', source: 'system' };
  for (const name of SYSTEM) {
    const path = onPath(name);
    if (path) return { path, source: 'system' };
  }
  return { path: await bundled(), source: 'bundled by @sparticuz/chromium' };
}

export default async function setup(): Promise<void> {
  const { path, source } = await find();
  try {
    const browser = await chromium.launch({ executablePath: path, args: CHROMIUM_ARGS });
    say(`${path} (${source}), version ${browser.version()}`);
    await browser.close();
  } catch (err) {
    const first = (err as Error).message.split('\n')[0];
    // A run killed while unpacking leaves a partial binary: the next run unpacks afresh.
    if (source.startsWith('bundled')) rmSync(dirname(path), { recursive: true, force: true });
    throw new Error(
      `The e2e tests need Chromium, and ${path} (${source}) did not start: ${first}. ${INSTALL}`,
    );
  }
  process.env.OPENKKA_TEST_CHROMIUM = path;
}
