/** `openkka`: start | migrate | keys … | merchant … | notifications … | seed | google-pay … */
import { Command } from 'commander';
import { registerBenchCommand } from './bench.ts';
import { registerGooglePayCommands } from './google-pay.ts';
import { registerKeyCommands } from './keys.ts';
import { registerMerchantCommands } from './merchant.ts';
import { registerMigrateCommand } from './migrate.ts';
import { registerNotificationCommands } from './notifications.ts';
import { registerSeedCommand } from './seed.ts';
import { registerStartCommand } from './start.ts';

const program = new Command('openkka')
  .description('Self-hostable payment gateway speaking the PayKKa Payments API v1.2')
  .showHelpAfterError();

registerStartCommand(program);
await registerBenchCommand(program);
registerMigrateCommand(program);
registerKeyCommands(program);
registerMerchantCommands(program);
registerNotificationCommands(program);
registerSeedCommand(program);
registerGooglePayCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`openkka: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
