/**
 * Logs go to stderr (stdout is for command output). Card data must never reach a log line:
 * request bodies are never logged, and these paths are redacted as a second line of defence.
 */
import pino, { type Logger } from 'pino';

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

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, pino.destination(2));
}
