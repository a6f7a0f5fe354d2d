/**
 * The terminal's log lines: made from pino's redacted JSON, one line each with the time, the
 * level, the request id and the message, and never a raw control character from a logged value.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { createGatewayLog, resolveLogFormat } from '../../../src/logger.ts';
import { PrettyStream } from '../../../src/logs/pretty-stream.ts';

function captured() {
  const lines: string[] = [];
  return { lines, sink: { write: (text: string) => void lines.push(text) } };
}

const ESC = '\u001b';
// The SGR colour sequences pino-pretty itself writes, and nothing else.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching colour sequences is the point
const COLOUR = /\u001b\[[0-9;]*m/g;

describe('pretty log lines', () => {
  it('escape an ESC byte and other controls from a logged value; only their own colours stay', () => {
    const { lines, sink } = captured();
    const { logger } = createGatewayLog('info', 'pretty', { sink });
    const hostile = `/pay${ESC}]0;owned\u0007${ESC}[2J\u009b31m\r`;
    logger.child({ reqId: 'req_abc' }).warn({ url: hostile, [`k${ESC}`]: 1 }, `msg ${ESC}[31mred`);
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    expect(line.replace(COLOUR, '')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(line).toContain('\\u001b]0;owned\\u0007\\u001b[2J\\u009b31m\\u000d');
    expect(line).toContain('msg \\u001b[31mred');
    expect(line).toContain('k\\u001b');
  });

  it('show the time as HH:MM:ss.l, the level, the request id before the message, and no JSON', () => {
    const { lines, sink } = captured();
    const { logger } = createGatewayLog('info', 'pretty', { sink });
    logger.child({ reqId: 'req_0123456789abcdef' }).info({ status: 404 }, 'not found');
    const plain = lines[0]!.replace(COLOUR, '');
    expect(plain).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(\d+\): \[req_0123456789abcdef\] not found\n/);
    expect(plain).toContain('status: 404');
    expect(plain).not.toContain('"level"');
    expect(lines[0]).toMatch(COLOUR);
  });

  it('still redact card data', () => {
    const { lines, sink } = captured();
    const { logger } = createGatewayLog('info', 'pretty', { sink });
    logger.info({ payload: { card_no: '4242424242424242', cvv: '123' }, body: 'secret' }, 'x');
    expect(lines.join('')).not.toMatch(/4242424242424242|123|secret/);
    expect(lines.join('')).toContain('[redacted]');
  });

  it('hold lines below warn until released, in order; a warning passes at once', () => {
    const { lines, sink } = captured();
    const log = createGatewayLog('info', 'pretty', { sink, holdUntilBanner: true });
    log.logger.info('first');
    log.logger.warn('careful');
    log.logger.info('openkka listening');
    log.logger.info('second');
    expect(lines.map((l) => l.replace(COLOUR, ''))).toEqual([expect.stringContaining('careful')]);
    log.afterBanner();
    const after = lines.map((l) => l.replace(COLOUR, ''));
    expect(after).toHaveLength(3);
    expect(after[1]).toContain('first');
    expect(after[2]).toContain('second');
    log.logger.info('later');
    expect(lines).toHaveLength(4);
  });

  it('write JSON lines in json mode, the listen line included', () => {
    const { lines, sink } = captured();
    const { logger } = createGatewayLog('info', 'json', { sink });
    logger.info({ url: `a${ESC}` }, 'openkka listening');
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'openkka listening', url: `a${ESC}` });
  });

  it('a stack trace keeps its line breaks', () => {
    const { lines, sink } = captured();
    new PrettyStream(sink, { colorize: false }).write(
      JSON.stringify({ level: 50, time: 0, msg: 'boom', err: { stack: 'Error: x\n    at y' } }),
    );
    expect(lines[0]).toMatch(/Error: x\n\s+at y/);
  });
});

describe('OPENKKA_LOG_FORMAT', () => {
  it('auto is pretty only for a terminal; json and pretty are as said; anything else is refused', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
    expect(loadConfig({}).logFormat).toBe('auto');
    expect(loadConfig({ OPENKKA_LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => loadConfig({ OPENKKA_LOG_FORMAT: 'yaml' })).toThrow(/OPENKKA_LOG_FORMAT/);
  });
});
