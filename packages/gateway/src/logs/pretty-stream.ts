/**
 * Log lines for a person at a terminal: pino's JSON line turned into one coloured line (time,
 * level, request id, message, then the other fields), written synchronously in this process, so
 * nothing is lost at exit and lines keep the order they were logged in. Values can come from
 * clients (a path, a header): every control character is shown escaped, never sent raw, so a
 * logged value cannot move the cursor, recolour or rewrite the operator's terminal.
 */
import { prettyFactory } from 'pino-pretty';

export interface LineSink {
  write(text: string): void;
}

/** C0 controls, DEL and C1 controls (ESC starts terminal sequences; CSI is also U+009B). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

const escapeControl = (text: string): string =>
  text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Every string of a parsed line, escaped; a stack trace keeps its line breaks. */
function escapeValue(value: unknown, key: string): unknown {
  if (typeof value === 'string') {
    return key === 'stack' ? value.split('\n').map(escapeControl).join('\n') : escapeControl(value);
  }
  if (Array.isArray(value)) return value.map((item) => escapeValue(item, ''));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[escapeControl(k)] = escapeValue(v, k);
    return out;
  }
  return value;
}

export function escapedLine(line: string): Record<string, unknown> {
  return escapeValue(JSON.parse(line), '') as Record<string, unknown>;
}

export interface PrettyStreamOptions {
  colorize: boolean;
  /** Lines dropped (the listen lines the banner already says), by message. */
  drop?: (msg: unknown) => boolean;
}

/**
 * A pino destination: each JSON line pino writes (already redacted) becomes one pretty line on
 * `sink`. Lines logged before `release()` that are below warn are held, then written in order:
 * the banner comes first and clean, a warning still shows at once.
 */
export class PrettyStream {
  private readonly pretty: (log: Record<string, unknown>) => string;
  private held: string[] | undefined;

  constructor(
    private readonly sink: LineSink,
    private readonly options: PrettyStreamOptions,
    hold = false,
  ) {
    this.held = hold ? [] : undefined;
    this.pretty = prettyFactory({
      colorize: options.colorize,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'hostname,reqId',
      messageFormat: '{if reqId}[{reqId}] {end}{msg}',
      singleLine: false,
    });
  }

  write(line: string): void {
    const log = escapedLine(line);
    if (this.options.drop?.(log.msg)) return;
    const text = this.pretty(log);
    if (this.held && typeof log.level === 'number' && log.level < 40) this.held.push(text);
    else this.sink.write(text);
  }

  /** Writes what was held and stops holding. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const text of held) this.sink.write(text);
  }
}
