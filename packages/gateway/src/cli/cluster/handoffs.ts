/**
 * Connections node:cluster handed to a worker that died before taking them. The primary's
 * round-robin sends each connection it accepts to a worker and closes its own copy once the
 * worker says it took it; a worker killed in between never says so, and the primary then holds
 * the connection open for good: its client hangs until its own timeout (a few in a hundred
 * connections made just after a `kill -9`, measured). The cluster makes each handoff through
 * the worker's `send`, so watching that send tells which connections went to which worker and
 * are not yet taken (the primary closes its copy of a taken one); once the worker has exited,
 * those left are closed, and their clients see the connection end at once instead of hanging.
 */
import type { Worker } from 'node:cluster';

interface Handle {
  close(...args: unknown[]): unknown;
}

/** Connections handed to a worker and not yet taken, by handle. */
const untaken = new Map<Handle, Worker>();

function isHandoff(message: unknown): boolean {
  const m = message as { cmd?: unknown; act?: unknown } | null;
  return typeof m === 'object' && m !== null && m.cmd === 'NODE_CLUSTER' && m.act === 'newconn';
}

/**
 * Watches the connections handed to `worker` (call right after forking it), and closes those it
 * never took once it has gone: at its disconnect and at its exit, whichever the primary hears
 * of last, so none handed over in between is missed. `dropped` hears how many were closed.
 */
export function watchHandoffs(worker: Worker, dropped: (connections: number) => void): void {
  const child = worker.process;
  const send = child.send.bind(child) as (...args: unknown[]) => boolean;
  child.send = ((message: unknown, handle?: unknown, ...rest: unknown[]) => {
    if (isHandoff(message) && handle && typeof (handle as Handle).close === 'function') {
      const h = handle as Handle;
      // Sent again to another worker when the first would not take it: the last one counts.
      if (!untaken.has(h)) {
        const close = h.close.bind(h);
        h.close = (...args: unknown[]) => {
          untaken.delete(h);
          return close(...args);
        };
      }
      untaken.set(h, worker);
    }
    return send(message, handle, ...rest);
  }) as typeof child.send;
  const gone = () => {
    const closed = closeUntaken(worker);
    if (closed > 0) dropped(closed);
  };
  worker.on('disconnect', gone);
  worker.on('exit', gone);
}

function closeUntaken(worker: Worker): number {
  let closed = 0;
  for (const [handle, holder] of untaken) {
    if (holder !== worker) continue;
    handle.close();
    closed++;
  }
  return closed;
}
