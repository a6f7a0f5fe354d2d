/** The bench's side of the load generator and the ceiling server: fork, command, await answers. */
import type { ChildProcess } from 'node:child_process';
import { forkEntry } from './children.ts';
import { every } from './interval.ts';
import type { ProgressSnapshot } from './progress.ts';
import type {
  FromCeiling,
  FromGenerator,
  LoadResult,
  OpenLoopCommand,
  OpenLoopResult,
  PrepareCommand,
  RunCommand,
  TopUpCommand,
} from './protocol.ts';
import { StallWatch } from './stall-watch.ts';

type Command = PrepareCommand | RunCommand | OpenLoopCommand | TopUpCommand;

const count = (n: number) => n.toLocaleString('en-US');

/** What a command has the generator do, for the watchdog's message. */
function doing(command: Command): string {
  switch (command.type) {
    case 'prepare':
      return `signing ${count(command.count)} ${command.protocol} requests for the ${command.pool} pool`;
    case 'top-up':
      return `signing the ${command.pool} pool up to ${count(command.unused)} unused requests`;
    case 'run':
      return `running "${command.target}" against ${command.urls.join(', ')}`;
    case 'open-loop':
      return `running the open-loop step "${command.target}" against ${command.urls.join(', ')}`;
  }
}

export class GeneratorClient {
  private readonly child: ChildProcess;
  private waiting:
    | { resolve: (m: FromGenerator) => void; reject: (e: Error) => void; watch: StallWatch; stop: () => void }
    | undefined;

  constructor(onProgress: (snapshot: ProgressSnapshot) => void) {
    this.child = forkEntry('./load-generator.js');
    this.child.on('message', (message: FromGenerator) => {
      if (message.type === 'progress') {
        this.waiting?.watch.saw(message.snapshot);
        return onProgress(message.snapshot);
      }
      if (message.type === 'failed') this.settle(new Error(`load generator: ${message.message}`));
      else this.settle(message);
    });
    this.child.once('exit', (code, signal) => {
      this.settle(new Error(`load generator exited (${signal ?? code})`));
    });
  }

  private settle(outcome: FromGenerator | Error): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.stop();
    if (outcome instanceof Error) waiting?.reject(outcome);
    else waiting?.resolve(outcome);
  }

  /**
   * Sends one command and waits for its answer. A watchdog fails the command (and kills the
   * generator) once it has not moved for STALL_MS, naming what the generator was doing.
   */
  private ask(command: Command): Promise<FromGenerator> {
    if (this.waiting) throw new Error('one command at a time');
    return new Promise((resolve, reject) => {
      const watch = new StallWatch(doing(command), () => performance.now());
      const stop = every(1000, () => {
        const stalled = watch.stalled();
        if (!stalled) return;
        this.settle(new Error(`load generator (pid ${this.child.pid}) stalled ${stalled}`));
        this.child.kill('SIGKILL');
      });
      this.waiting = { resolve, reject, watch, stop };
      this.child.send(command);
    });
  }

  async prepare(command: Omit<PrepareCommand, 'type'>): Promise<number> {
    const answer = await this.ask({ type: 'prepare', ...command });
    if (answer.type !== 'prepared') throw new Error(`load generator answered ${answer.type} to prepare`);
    return answer.count;
  }

  async run(command: Omit<RunCommand, 'type'>): Promise<LoadResult> {
    const answer = await this.ask({ type: 'run', ...command });
    if (answer.type !== 'result') throw new Error(`load generator answered ${answer.type} to run`);
    return answer.result;
  }

  async topUp(command: Omit<TopUpCommand, 'type'>): Promise<void> {
    const answer = await this.ask({ type: 'top-up', ...command });
    if (answer.type !== 'prepared') throw new Error(`load generator answered ${answer.type} to top-up`);
  }

  async openLoop(command: Omit<OpenLoopCommand, 'type'>): Promise<OpenLoopResult> {
    const answer = await this.ask({ type: 'open-loop', ...command });
    if (answer.type !== 'open-loop-result')
      throw new Error(`load generator answered ${answer.type} to open-loop`);
    return answer.result;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  close(): void {
    if (this.child.connected) this.child.send({ type: 'exit' });
  }
}

export interface CeilingServer {
  url: string;
  pid: number | undefined;
  stop(): void;
}

export function startCeiling(merchantPublicKeyPem: string, answerBytes: number): Promise<CeilingServer> {
  const child = forkEntry('./ceiling-server.js');
  return new Promise((resolve, reject) => {
    child.once('message', (message: FromCeiling) => {
      if (message.type === 'failed') return reject(new Error(`ceiling server: ${message.message}`));
      resolve({ url: message.url, pid: child.pid, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`ceiling server exited (${code}) before listening`)));
    child.send({ type: 'setup', merchantPublicKeyPem, answerBytes });
  });
}
