/** `openkka start`: the gateway on the configured store, with a ready-to-use demo merchant. */
import type { Command } from 'commander';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('Start the gateway (HOST, PORT, OPENKKA_DATA_DIR, DATABASE_URL)')
    .option(
      '--workers <n>',
      'processes serving requests: 1 to 64, or auto for one per core (OPENKKA_WORKERS; default 1)',
    )
    // The gateway (Fastify, the store's drivers, every route) loads only when it starts.
    .action(async (options: { workers?: string }) =>
      (await import('./start-gateway.ts')).startGateway({ workers: options.workers }),
    );
}
