/** The bench's side of the load generator and the ceiling server: fork, command, await answers. */
import type { ChildProcess } from 'node:child_process';
import { forkEntry } from './children.ts';
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

export class GeneratorClient {
  private readonly child: ChildProcess;
  private waiting: { resolve: (m: FromGenerator) => void; reject: (e: Error) => void } | undefined;

  constructor(onProgress: (snapshot: ProgressSnapshot) => void) {
    this.child = forkEntry('./load-generator.js');
    this.child.on('message', (message: FromGenerator) => {
      if (message.type === 'progress') return onProgress(message.snapshot);
      const waiting = this.waiting;
      this.waiting = undefined;
      if (message.type === 'failed') waiting?.reject(new Error(`load generator: ${message.message}`));
      else waiting?.resolve(message);
    });
    this.child.once('exit', (code, signal) => {
      this.waiting?.reject(new Error(`load generator exited (${signal ?? code})`));
      this.waiting = undefined;
    });
  }

  private ask(command: PrepareCommand | RunCommand | OpenLoopCommand | TopUpCommand): Promise<FromGenerator> {
    if (this.waiting) throw new Error('one command at a time');
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
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
