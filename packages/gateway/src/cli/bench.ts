/**
 * `openkka bench`, which lives in its own workspace package, @openkka/bench: this loads the
 * package's command (options, help and runner) when it is installed, as it is in a checkout of
 * the repository after `npm ci`, and otherwise registers a `bench` that says what is missing.
 *
 * The gateway loads the bench's own command definition with a dynamic import rather than
 * repeating its options here, so `openkka bench --help` has one source and no static import
 * makes the gateway depend on the bench.
 */
import type { Command } from 'commander';

/** A variable, not a literal, so the gateway's typecheck does not pull in the bench's sources. */
const BENCH_PACKAGE: string = '@openkka/bench';

interface BenchPackage {
  registerBenchCommand(program: Command): void;
}

function isMissing(err: unknown): boolean {
  const { code, message } = err as NodeJS.ErrnoException;
  return code === 'ERR_MODULE_NOT_FOUND' && message.includes(`'${BENCH_PACKAGE}'`);
}

export async function registerBenchCommand(program: Command): Promise<void> {
  let bench: BenchPackage;
  try {
    bench = (await import(BENCH_PACKAGE)) as BenchPackage;
  } catch (err) {
    if (!isMissing(err)) throw err;
    program
      .command('bench')
      .description(`Load-test a gateway against a bare-server ceiling (needs ${BENCH_PACKAGE})`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        throw new Error(
          `bench needs the ${BENCH_PACKAGE} package, which is not installed here; it is a workspace ` +
            'of the openkka repository: run `npm ci` in a checkout and `npx openkka bench` there',
        );
      });
    return;
  }
  bench.registerBenchCommand(program);
}
