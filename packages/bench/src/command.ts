/**
 * `openkka bench`: throughput and latency of a real gateway process against a bare-server
 * ceiling. The gateway's CLI loads this module (the package's entry) to register the command;
 * the runner itself is loaded only when the command runs, so `openkka start` does not carry it.
 */
import { type Command, Option } from 'commander';
import { DEFAULTS, type RawBenchOptions, resolveOptions } from './options.ts';

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description(
      'Load-test a gateway (its own process on a fresh store, or --url) against a bare-server ceiling',
    )
    .option(
      '--mix <mix>',
      'purchase | lifecycle (authorize, capture, refund, query) | encrypted | encrypted-p256 (purchases with encrypted card fields, to the X25519 or the P-256 half of the gateway key)',
      DEFAULTS.mix,
    )
    .option(
      '--protocol <protocol>',
      "v1.2 | v3: the PayKKa wire every request goes over, to the ceiling too (it does that wire's signature work)",
      DEFAULTS.protocol,
    )
    .option(
      '--store <store>',
      'sqlite | postgres (a fresh database from OPENKKA_BENCH_PG_URL)',
      DEFAULTS.store,
    )
    .option(
      '--gateways <k>',
      `gateway processes on the one store, each on its own port, the load spread over them by connection (default: ${DEFAULTS.gateways})`,
    )
    .option('--workers <n>', `OPENKKA_WORKERS of each gateway process (default: ${DEFAULTS.workers})`)
    .option('--concurrency <n>', 'requests kept in flight', DEFAULTS.concurrency)
    .option(
      '--pairs <n>',
      'rounds of interleaved slices (one per side each, order drawn per round)',
      DEFAULTS.pairs,
    )
    .option('--slice <seconds>', 'length of one timed slice', DEFAULTS.slice)
    .option('--warmup <seconds>', 'load on each side before the first round, not counted', DEFAULTS.warmup)
    .option('--no-ceiling', 'skip the bare-server ceiling (ratio is then null)')
    .option('--load-curve', 'then load the gateway open-loop at 25, 50, 75 and 90% of its measured rate')
    .option('--step <seconds>', `with --load-curve: length of each step (default: ${DEFAULTS.step})`)
    .option('--chart <file>', 'with --load-curve: write the curve as an SVG chart to <file>')
    .option('--compare <ref>', 'run a second gateway from git <ref> beside this one, interleaved (A/B)')
    .option(
      '--compare-mix <mix>',
      'send a second mix to the same gateway, interleaved with --mix: what --mix costs against it',
    )
    .addOption(new Option('--duration <seconds>').hideHelp())
    .option('--json', 'print exactly one JSON object on stdout')
    .option('--url <url>', 'load this running gateway instead of starting one')
    .option('--merchant-id <id>', 'with --url: the merchant the requests are signed as')
    .option('--private-key <file>', "with --url: that merchant's private key (PEM)")
    .option('--app-id <id>', "with --url and --protocol v3: the merchant's app id, if it was given one")
    .option('--client-key <key>', "with --url and an encrypted mix: that merchant's client key")
    .option('--data-dir <dir>', "with --url: the gateway's OPENKKA_DATA_DIR, to count the orders created")
    .option('--database-url <url>', "with --url: the gateway's DATABASE_URL, to count the orders created")
    .option(
      '--presign-rate <n>',
      'requests/s to pre-sign for when no ceiling run sizes it',
      DEFAULTS.presignRate,
    )
    .option(
      '--answer-bytes <n>',
      'size of every ceiling answer (default: a real openkka payment answer, 760 bytes on v1.2, 734 on v3)',
    )
    .option('--cpu-prof <dir>', 'write a V8 CPU profile of the gateway process into <dir>')
    .option(
      '--preload <n>',
      "fill the fresh store with <n> realistic orders (`openkka seed`, the bench's merchant among five) before the run",
    )
    .action(async (raw: RawBenchOptions) => {
      // A refused option is thrown like any other failure: `openkka: <message>`, exit code 1.
      const options = resolveOptions(raw);
      const [{ runBench }, { formatSummary }] = await Promise.all([
        import('./run.ts'),
        import('./report.ts'),
      ]);
      const report = await runBench(options, process.stderr);
      process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${formatSummary(report)}\n`);
    });
}
