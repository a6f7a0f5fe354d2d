// encryptCard makes a key pair per card. Exporting a generated key object can deadlock Node
// when a garbage collection during the export frees the key's generation job (its destructor
// takes the lock the export holds): with a tiny young generation the old code hung within
// 20,000 cards every time. Run in a child process, which only a hang keeps from exiting.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('./fixtures/encrypt-many.ts', import.meta.url));
/** A ceiling for a hang, far above the few seconds the run takes on a loaded machine. */
const HANG_MS = 100_000;

describe('encryptCard under constant garbage collection', () => {
  it('encrypts 20,000 cards to both curves without hanging', async () => {
    const child = spawn(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', FIXTURE, '20000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    const hang = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.once('close', (c, s) => resolve([c, s])),
    );
    clearTimeout(hang);
    expect({ code, signal, out: out.trim() }).toEqual({ code: 0, signal: null, out: '20000' });
  }, 120_000);
});
