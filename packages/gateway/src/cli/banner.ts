/**
 * What `openkka start` prints once it serves: where, on which store, and with a demo merchant
 * the copy-paste examples of a first payment and a checkout session (demo.ts).
 */
import type { Config } from '../config.ts';
import { type DemoMerchant, paymentExample, sessionExample } from './demo.ts';
import type { DemoSetup } from './demo-setup.ts';

export const PUBLIC_URL_WARNING =
  'OPENKKA_PUBLIC_URL is not set and the gateway listens beyond loopback: the 3-D Secure, ' +
  'redirect and checkout URLs handed to shoppers name the address a request arrived at, ' +
  'which shoppers may not reach. Set OPENKKA_PUBLIC_URL to the URL their browsers use ' +
  '(e.g. https://pay.example.com).';

export interface BannerFacts {
  url: string;
  adminUrl: string | undefined;
  /** The store's location, as Store.location gives it. */
  store: string;
  /** Processes serving requests: more than one is said in a line of its own. */
  workers: number;
  unsetPublicUrl: boolean;
  demo: DemoMerchant | undefined;
  /** Set when the admin API (and so the dashboard) is on. */
  dashboard?: DashboardFacts | undefined;
}

export interface DashboardFacts {
  /** The file holding the demo's token; unset when OPENKKA_ADMIN_TOKEN is the token. */
  tokenFile: string | undefined;
}

/** Whether the dashboard is on, and which token opens it. */
export function dashboardFacts(config: Config, setup: DemoSetup): DashboardFacts | undefined {
  if (setup.adminToken) return { tokenFile: setup.adminToken.file };
  return config.adminToken ? { tokenFile: undefined } : undefined;
}

export function banner(facts: BannerFacts): string {
  const { url, demo } = facts;
  const lines = [`openkka is listening on ${url} (store: ${facts.store})`];
  if (facts.workers > 1) {
    lines.push(`Workers: ${facts.workers} processes share the port; one that dies is started again`);
  }
  if (facts.adminUrl) lines.push(`Admin API on ${facts.adminUrl} (only there)`);
  if (facts.dashboard) {
    lines.push(`Dashboard:     ${facts.adminUrl ?? url}/dashboard`);
    const { tokenFile } = facts.dashboard;
    lines.push(
      tokenFile
        ? `Admin token:   in ${tokenFile} (log in with its contents)`
        : 'Admin token:   OPENKKA_ADMIN_TOKEN (log in with it)',
    );
  }
  if (facts.unsetPublicUrl) lines.push('', `WARNING: ${PUBLIC_URL_WARNING}`);
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
  return `${lines.join('\n')}\n`;
}
