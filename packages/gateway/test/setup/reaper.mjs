// Watches the test runner that started a throw-away PostgreSQL server: once the runner is gone
// (finished, Ctrl-C, crashed or killed) the server gets an immediate shutdown and its temp dir
// is removed. Plain JavaScript so that it starts with node alone, detached from the runner.
//
//   node reaper.mjs <runner pid> <postmaster pid> <temp dir>
import { readFileSync, rmSync } from 'node:fs';

const [runner, postmaster, dir] = process.argv.slice(2);
/** Running, and not a zombie that nobody reaps (its parent, the runner, may be gone). */
const alive = (pid) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

let stopping = false;
const timer = setInterval(() => {
  if (!alive(postmaster)) {
    clearInterval(timer);
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  if (!stopping && !alive(runner)) {
    stopping = true;
    try {
      process.kill(Number(postmaster), 'SIGQUIT'); // immediate shutdown; the data is thrown away
    } catch {}
    // The next ticks see the postmaster gone and remove the dir; SIGKILL if it lingers.
    setTimeout(() => {
      if (alive(postmaster)) process.kill(Number(postmaster), 'SIGKILL');
    }, 10_000).unref();
  }
}, 500);
