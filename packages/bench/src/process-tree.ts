/**
 * A gateway's processes: the one the bench started and every process under it. With
 * OPENKKA_WORKERS above 1 the gateway forks its workers, and their CPU and memory are the
 * gateway's, not the machine's other load. Linux only (/proc); elsewhere just the given pids.
 */
import { readdir, readFile } from 'node:fs/promises';

/** The parent pid of /proc/<pid>/stat (field 4); the name in parentheses may hold spaces. */
export function parentOf(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** `roots` and their descendants, from a map of each pid to its parent. Pure. */
export function withDescendants(roots: readonly number[], parents: ReadonlyMap<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, parent] of parents) children.set(parent, [...(children.get(parent) ?? []), pid]);
  const found = new Set(roots);
  const queue = [...roots];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      if (found.has(child)) continue;
      found.add(child);
      queue.push(child);
    }
  }
  return [...found];
}

/** `roots` and every living process below them. */
export async function processTree(roots: readonly number[]): Promise<number[]> {
  if (roots.length === 0) return [];
  const parents = new Map<number, number>();
  try {
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      // A process may end between the listing and the read: it is simply not counted.
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
      if (stat) parents.set(Number(entry), parentOf(stat));
    }
  } catch {
    return [...roots];
  }
  return withDescendants(roots, parents);
}
