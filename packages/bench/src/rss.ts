/** The gateway's peak resident memory, sampled from outside its process every 250 ms. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { every } from './interval.ts';

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

export class RssSampler {
  private maxBytes = 0;
  private readonly stopSampling: () => void;

  constructor(
    private readonly pid: number,
    intervalMs = 250,
  ) {
    this.stopSampling = every(intervalMs, () => void this.sample());
    void this.sample();
  }

  private async sample(): Promise<void> {
    const bytes = await residentBytes(this.pid).catch(() => null);
    if (bytes !== null && bytes > this.maxBytes) this.maxBytes = bytes;
  }

  /** Stops sampling; the peak seen, in MiB, or null if no sample succeeded. */
  stop(): number | null {
    this.stopSampling();
    return this.maxBytes === 0 ? null : Math.round((this.maxBytes / 1024 / 1024) * 10) / 10;
  }
}
