/**
 * The gateway's peak resident memory, sampled from outside its processes every 250 ms: the sum
 * over every gateway process the bench started and the workers under them.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { every } from './interval.ts';
import { processTree } from './process-tree.ts';

const run = promisify(execFile);

/** VmRSS of `pid` in bytes, from /proc on Linux or `ps` elsewhere; null once it is gone. */
export async function residentBytes(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    const { stdout } = await run('ps', ['-o', 'rss=', '-p', String(pid)]);
    const kb = Number(stdout.trim());
    return stdout.trim() === '' || !Number.isFinite(kb) ? null : kb * 1024;
  } catch {
    return null;
  }
}

/** How often the sampler looks for processes the gateways started (workers), in samples. */
const TREE_EVERY = 20;

export class RssSampler {
  private maxBytes = 0;
  private samples = 0;
  private pids: number[];
  private readonly stopSampling: () => void;

  constructor(
    private readonly roots: readonly number[],
    intervalMs = 250,
  ) {
    this.pids = [...roots];
    this.stopSampling = every(intervalMs, () => void this.sample());
    void this.sample();
  }

  private async sample(): Promise<void> {
    // Workers are forked at start-up and seldom after: the tree is looked at now and then, not
    // on every sample, so the bench's own CPU stays small.
    if (this.samples++ % TREE_EVERY === 0) this.pids = await processTree(this.roots);
    let bytes = 0;
    for (const pid of this.pids) bytes += (await residentBytes(pid).catch(() => null)) ?? 0;
    if (bytes > this.maxBytes) this.maxBytes = bytes;
  }

  /** Stops sampling; the peak seen, in MiB, or null if no sample succeeded. */
  stop(): number | null {
    this.stopSampling();
    return this.maxBytes === 0 ? null : Math.round((this.maxBytes / 1024 / 1024) * 10) / 10;
  }
}
