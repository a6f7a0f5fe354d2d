// Runs the whole test suite while busy loops hold every core, several times in a row, to prove
// that no test leans on a fixed time budget a loaded machine overruns. The busy loops are
// started and stopped here, by pid, whatever way the runs end.
//
//   npm run test:loaded [-- --runs 3 --hogs 2]
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    hogs: { type: 'string', default: String(availableParallelism()) },
  },
});
const runs = Number(values.runs);
const hogCount = Number(values.hogs);

const hogs = Array.from({ length: hogCount }, () =>
  spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }),
);
const stopHogs = () => {
  for (const hog of hogs) hog.kill('SIGKILL');
};
process.on('exit', stopHogs);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopHogs();
    process.exit(130);
  });
}
console.log(`[load] ${hogCount} busy loops running (pids ${hogs.map((h) => h.pid).join(', ')})`);

const results = [];
for (let i = 1; i <= runs; i++) {
  const started = Date.now();
  const code = await new Promise((resolve) => {
    const run = spawn('npm', ['test'], { stdio: 'inherit' });
    run.on('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
  });
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  results.push({ run: i, code, minutes });
  console.log(`[load] run ${i} of ${runs}: exit ${code} in ${minutes} min`);
}
stopHogs();
for (const r of results)
  console.log(
    `[load] run ${r.run}: ${r.code === 0 ? 'passed' : `FAILED (exit ${r.code})`}, ${r.minutes} min`,
  );
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
