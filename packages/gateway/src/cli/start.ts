/** `openkka start`: the gateway on the configured store, with a ready-to-use demo merchant. */
import type { Command } from 'commander';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('Start the gateway (HOST, PORT, OPENKKA_DATA_DIR, DATABASE_URL)')
    // The gateway (Fastify, the store's drivers, every route) loads only when it starts.
    .action(async () => (await import('./start-gateway.ts')).startGateway());
}
