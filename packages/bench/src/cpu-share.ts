/**
 * How much of the machine's CPU went to processes outside the bench during a run: the whole
 * machine's busy time (/proc/stat) minus the bench's own processes' (/proc/<pid>/stat). A
 * figure taken while other work competed for the cores says so here. Linux only; null elsewhere.
 */
import { readdir, readFile } from 'node:fs/promises';
import { processTree } from './process-tree.ts';

export interface CpuSnapshot {
  /** Clock ticks of all CPUs since boot. */
  total: number;
  busy: number;
  /** Ticks spent by the given processes (user + system, every thread). */
  ours: number;
}

/** The aggregate `cpu` line: user nice system idle iowait irq softirq steal … */
export function parseProcStat(text: string): { total: number; busy: number } {
  const fields = /^cpu\s+(.*)$/m.exec(text)?.[1]?.trim().split(/\s+/).map(Number);
  if (!fields || fields.length < 4) throw new Error('no cpu line in /proc/stat');
  // guest and guest_nice (9th, 10th) are already counted in user and nice.
  const counted = fields.slice(0, 8);
  const total = counted.reduce((sum, v) => sum + v, 0);
  const idle = (counted[3] ?? 0) + (counted[4] ?? 0);
  return { total, busy: total - idle };
}

/** utime + stime of /proc/<pid>/stat; the name in parentheses may itself hold spaces. */
export function parsePidStat(text: string): number {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so utime (field 14) and stime (field 15) are rest[11] and rest[12].
  return Number(rest[11]) + Number(rest[12]);
}

/** Processes whose command line contains `text` (a PostgreSQL backend names its database there). */
async function processesMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) pids.push(Number(entry));
  }
  return pids;
}

/**
 * The machine's CPU ticks and those of `pids` and the processes under them (a gateway's
 * workers), plus every process whose command line mentions `alsoMentioning` (the bench's own
 * PostgreSQL database: its backends work for the gateway).
 */
export async function cpuSnapshot(
  pids: number[],
  alsoMentioning: readonly string[] = [],
): Promise<CpuSnapshot | null> {
  try {
    const machine = parseProcStat(await readFile('/proc/stat', 'utf8'));
    const all = await processTree(pids);
    for (const text of alsoMentioning) all.push(...(await processesMentioning(text)));
    let ours = 0;
    for (const pid of new Set(all)) {
      ours += await readFile(`/proc/${pid}/stat`, 'utf8').then(parsePidStat, () => 0);
    }
    return { ...machine, ours };
  } catch {
    return null;
  }
}

/**
 * CPU milliseconds `pids` (plus the processes mentioning `alsoMentioning`) used between two
 * calls: the gateway's cost per payment, which throughput on a shared machine hides.
 */
export async function processTicks(
  pids: number[],
  alsoMentioning: readonly string[] = [],
): Promise<number | null> {
  return (await cpuSnapshot(pids, alsoMentioning))?.ours ?? null;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ): 100 on every Linux build in use. */
export const TICKS_PER_SECOND = 100;

/** The difference of two snapshots, so the slices of one side can be added up. */
export function cpuBetween(before: CpuSnapshot | null, after: CpuSnapshot | null): CpuSnapshot | null {
  if (!before || !after) return null;
  return {
    total: after.total - before.total,
    busy: after.busy - before.busy,
    ours: after.ours - before.ours,
  };
}

export function addCpu(a: CpuSnapshot | null, b: CpuSnapshot | null): CpuSnapshot | null {
  if (!a || !b) return a ?? b;
  return { total: a.total + b.total, busy: a.busy + b.busy, ours: a.ours + b.ours };
}

/** Percent of all CPU time between the snapshots that processes outside `pids` used. */
export function otherCpuPercent(before: CpuSnapshot | null, after: CpuSnapshot | null): number | null {
  if (!before || !after || after.total <= before.total) return null;
  const others = after.busy - before.busy - (after.ours - before.ours);
  return Math.max(0, Math.round((1000 * others) / (after.total - before.total)) / 10);
}
