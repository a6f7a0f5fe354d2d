import type { Command } from 'commander';
import { withRuntime } from './context.ts';

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('Platform key');
  keys
    .command('platform')
    .description('Print the platform public key (PEM) that verifies responses and notifications')
    .action(() =>
      withRuntime(async (rt) => {
        process.stdout.write(rt.platformPublicKeyPem);
      }),
    );
}
