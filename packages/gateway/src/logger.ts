/**
 * Logs go to stderr (stdout is for command output). Card data must never reach a log line:
 * request bodies are never logged, and these paths are redacted as a second line of defence.
 * JSON lines by default; pretty lines for a terminal (logs/pretty-stream.ts), which pino
 * still redacts first, since they are made from its JSON line.
 */
import pino, { type Logger } from 'pino';
import type { LogFormatSetting } from './config.ts';
import { type LineSink, PrettyStream } from './logs/pretty-stream.ts';

export const REDACT = [
  '*.card_no',
  '*.cvv',
  '*.pan',
  '*.payment.card_no',
  '*.payment.cvv',
  'body',
  'req.body',
  'request.body',
];

export type LogFormat = 'json' | 'pretty';

/** `auto` is pretty only when stderr is a terminal: a file, a pipe or a collector gets JSON. */
export function resolveLogFormat(
  setting: LogFormatSetting,
  stderrIsTty = process.stderr.isTTY === true,
): LogFormat {
  if (setting === 'auto') return stderrIsTty ? 'pretty' : 'json';
  return setting;
}

/** What the banner says already, so a terminal is not told twice (machines reading JSON keep them). */
const SAID_BY_THE_BANNER = (msg: unknown) =>
  msg === 'openkka listening' || (typeof msg === 'string' && msg.startsWith('Server listening at '));

export interface GatewayLog {
  logger: Logger;
  format: LogFormat;
  /** Writes the info lines held since start (pretty only) and stops holding them. */
  afterBanner(): void;
}

/**
 * `holdUntilBanner`: in pretty mode, lines below warn wait for `afterBanner()`, so the banner
 * is the first thing a person sees. `sink` is for tests; stderr otherwise.
 */
export function createGatewayLog(
  level: string,
  format: LogFormat,
  options: { holdUntilBanner?: boolean; sink?: LineSink } = {},
): GatewayLog {
  const redact = { paths: REDACT, censor: '[redacted]' };
  if (format === 'json') {
    const logger = pino({ level, redact }, options.sink ?? pino.destination(2));
    return { logger, format, afterBanner: () => {} };
  }
  const stream = new PrettyStream(
    options.sink ?? pino.destination({ dest: 2, sync: true }),
    { colorize: !process.env.NO_COLOR, drop: SAID_BY_THE_BANNER },
    options.holdUntilBanner === true,
  );
  return { logger: pino({ level, redact }, stream), format, afterBanner: () => stream.release() };
}

export function createLogger(level: string, format: LogFormat = 'json'): Logger {
  return createGatewayLog(level, format).logger;
}
