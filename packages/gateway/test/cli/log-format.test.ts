/**
 * `openkka start` in a terminal (a pseudo-terminal from util-linux's `script`) and not: the
 * banner first and clean, then pretty lines; JSON lines when stderr is not a terminal or when
 * OPENKKA_LOG_FORMAT=json says so. SIGTERM makes the gateway log a line after the banner.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENKKA_BIN } from '../../src/cli/executable.ts';
import { CEILING_MS, eventually } from '../helpers/eventually.ts';
import { createTestStore, type TestStore } from '../helpers/test-store.ts';
import { killChildren, startServer } from './run-cli.ts';

let store: TestStore;
let workDir: string;
const started = new Set<ChildProcess>();
const gatewayPids = new Set<number>();

beforeAll(async () => {
  store = await createTestStore();
  workDir = mkdtempSync(join(tmpdir(), 'openkka-logs-'));
});
afterAll(async () => {
  killChildren();
  for (const pid of gatewayPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const child of started) child.kill('SIGKILL');
  rmSync(workDir, { recursive: true, force: true });
  await store?.drop();
});

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
// SGR colours, and the carriage returns a terminal adds before each line feed.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching colour sequences is the point
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '').replaceAll('\r', '');
const BANNER_END = /; echo\n[\s\S]*; echo\n\n/;
const PRETTY_LINE = /^\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN|ERROR) \(\d+\): /;

/**
 * `openkka start` with a pseudo-terminal as its stdout and stderr, stopped with SIGTERM once
 * the banner is out. Returns what the terminal showed, in order, without colours.
 */
async function startInTerminal(name: string, env: Record<string, string>, args: string[] = []) {
  const pidFile = join(workDir, `${name}.pid`);
  const gateway = [process.execPath, OPENKKA_BIN, 'start', ...args].map(quote).join(' ');
  const command = `echo $$ > ${quote(pidFile)}; exec ${gateway}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    env: { ...process.env, ...store.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  await eventually('the banner', async () => (BANNER_END.test(plain(output)) ? true : undefined));
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  gatewayPids.add(pid);
  process.kill(pid, 'SIGTERM');
  await Promise.race([
    closed,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no exit: ${output}`)), CEILING_MS)),
  ]);
  gatewayPids.delete(pid);
  return { raw: output, text: plain(output) };
}

describe('openkka start in a terminal', () => {
  it('prints the banner first, then pretty coloured lines, and no JSON', async () => {
    const { raw, text } = await startInTerminal('auto', {});
    expect(text.startsWith('openkka is listening on http://127.0.0.1:')).toBe(true);
    const after = text.slice(text.search(BANNER_END)).split('\n').slice(1);
    const logged = after.filter((line) => line.trim() !== '');
    expect(logged.some((line) => PRETTY_LINE.test(line) && line.includes('shutting down'))).toBe(true);
    expect(text).not.toContain('"level"');
    // The banner says where it listens: the log does not say it again.
    expect(text).not.toContain('openkka listening');
    expect(text).not.toContain('Server listening at');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching colour sequences is the point
    expect(raw).toMatch(/\u001b\[[0-9;]*m/);
  });

  it('with --workers 2, the primary prints the banner first and the workers log pretty lines too', async () => {
    const { text } = await startInTerminal('workers', {}, ['--workers', '2']);
    expect(text.startsWith('openkka is listening on http://127.0.0.1:')).toBe(true);
    expect(text).toContain('Workers: 2 processes');
    const logged = text
      .slice(text.search(BANNER_END))
      .split('\n')
      .slice(1)
      .filter((line) => line.trim() !== '');
    const pids = new Set(logged.flatMap((line) => PRETTY_LINE.exec(line) && /\((\d+)\)/.exec(line)![1]!));
    // The primary's and at least one worker's lines.
    expect(pids.size, logged.join('\n')).toBeGreaterThanOrEqual(2);
    expect(text).not.toContain('"level"');
  });

  it('OPENKKA_LOG_FORMAT=json keeps JSON lines, the listen line included', async () => {
    const { text } = await startInTerminal('json', { OPENKKA_LOG_FORMAT: 'json' });
    const json = text
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string });
    expect(json.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['openkka listening', 'shutting down']),
    );
  });
});

describe('openkka start without a terminal', () => {
  it('writes JSON lines to stderr', async () => {
    const server = await startServer(store.env);
    const result = await server.stop('SIGTERM');
    const lines = result.stderr.split('\n').filter((line) => line !== '');
    const msgs = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(msgs).toEqual(expect.arrayContaining(['openkka listening', 'shutting down']));
  });
});
