import type { Command } from 'commander';
import { withRuntime } from './context.ts';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending migrations to the store (start does this too)')
    .action(() =>
      withRuntime(async (rt) => {
        const { migrate } = await import('../store/db.ts');
        // openRuntime already migrated; asking again reports that nothing is pending.
        const applied = await migrate(rt.store.writer);
        process.stdout.write(
          `store ${rt.store.location} is up to date${applied.length ? ` (${applied.join(', ')})` : ''}\n`,
        );
      }),
    );
}
