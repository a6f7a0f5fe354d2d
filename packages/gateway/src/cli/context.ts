/** Shared by the commands: configuration, the opened runtime, and output helpers. */
import { type Config, loadConfig } from '../config.ts';
import { MerchantRepo } from '../core/merchants/repo.ts';
import { MerchantService } from '../core/merchants/service.ts';
import { systemClock } from '../domain/clock.ts';
import type { Runtime } from '../runtime.ts';

/**
 * Opens the runtime for one command and always closes the store afterwards. The runtime, with
 * the database drivers, is loaded here rather than imported, so `openkka --help` and every
 * command that never opens the store start without it.
 */
export async function withRuntime<T>(
  fn: (rt: Runtime, config: Config) => Promise<T>,
  config: Config = loadConfig(),
): Promise<T> {
  const { openRuntime } = await import('../runtime.ts');
  const runtime = await openRuntime(config);
  try {
    return await fn(runtime, config);
  } finally {
    await runtime.store.close();
  }
}

export function merchantService(rt: Runtime): MerchantService {
  return new MerchantService(new MerchantRepo(rt.store), systemClock);
}

/** With --json, stdout carries exactly one JSON object; otherwise readable lines. */
export function output(json: boolean | undefined, value: Record<string, unknown>, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);
}
