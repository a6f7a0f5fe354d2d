// request.log: the request's child logger is made on its first line, with the request id bound.
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { lazyRequestLogger } from '../../../src/http/request-logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('lazyRequestLogger', () => {
  it('writes each line with the request id bound, at the parent level', async () => {
    const { lines, logger } = capture();
    const log = lazyRequestLogger(logger, { reqId: 'req-7' }, {});
    expect(log.level).toBe('info');
    log.debug('not at this level');
    log.error({ code: 42 }, 'went wrong');
    log.info('and on');
    await flush();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ reqId: 'req-7', code: 42, msg: 'went wrong', level: 50 });
    expect(lines[1]).toMatchObject({ reqId: 'req-7', msg: 'and on', level: 30 });
  });

  it('a child of it keeps the request id beside its own bindings', async () => {
    const { lines, logger } = capture();
    lazyRequestLogger(logger, { reqId: 'req-8' }, {}).child({ job: 'x' }).warn('from the child');
    await flush();
    expect(lines).toEqual([expect.objectContaining({ reqId: 'req-8', job: 'x', msg: 'from the child' })]);
  });

  it('a level set on it applies to it alone', async () => {
    const { lines, logger } = capture();
    const log = lazyRequestLogger(logger, { reqId: 'req-9' }, {});
    log.level = 'debug';
    log.debug('now written');
    logger.debug('the parent still is at info');
    await flush();
    expect(lines.map((l) => l.msg)).toEqual(['now written']);
  });

  it('honours a route log level given as the child option', async () => {
    const { lines, logger } = capture();
    const log = lazyRequestLogger(logger, { reqId: 'req-10' }, { level: 'error' });
    log.warn('below the route level');
    log.error('at it');
    await flush();
    expect(lines.map((l) => l.msg)).toEqual(['at it']);
  });
});
