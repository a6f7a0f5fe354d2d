/**
 * The source text of one JSON value, for what JSON.parse cannot tell: `1e3`, `1000.0` and
 * `1000` all parse to 1000. Node 20 has no reviver with source text (it is behind a flag), so
 * this walks the raw body itself, and only when a value needs it.
 */

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/**
 * The text of the number at `path` (object keys from the top) in `json`, or undefined when no
 * number is there. `json` must be text JSON.parse accepted with an object at the top. As with
 * JSON.parse, the last of duplicate keys is the one that counts.
 */
export function numberTextAt(json: string, path: readonly string[]): string | undefined {
  const walk = new Walk(json);
  walk.space();
  return walk.peek() === '{' ? walk.lookUp(path, 0) : undefined;
}

class Walk {
  private i = 0;
  constructor(private readonly s: string) {}

  peek(): string | undefined {
    return this.s[this.i];
  }

  space(): void {
    while (this.i < this.s.length && WHITESPACE.has(this.s[this.i]!)) this.i++;
  }

  /** At an object's `{`: walks past it, answering the number at path[depth…] inside it. */
  lookUp(path: readonly string[], depth: number): string | undefined {
    let found: string | undefined;
    this.i++; // {
    this.space();
    if (this.peek() === '}') {
      this.i++;
      return undefined;
    }
    for (;;) {
      this.space();
      const key = this.key();
      this.space();
      this.i++; // :
      this.space();
      if (key === path[depth]) {
        // A later duplicate replaces an earlier one entirely, whatever it holds.
        if (depth === path.length - 1) found = this.numberOrSkip();
        else if (this.peek() === '{') found = this.lookUp(path, depth + 1);
        else found = this.skipValue();
      } else {
        this.skipValue();
      }
      this.space();
      if (this.s[this.i++] === '}') return found;
    }
  }

  private key(): string {
    const start = this.i;
    this.skipString();
    const quoted = this.s.slice(start, this.i);
    return quoted.includes('\\') ? (JSON.parse(quoted) as string) : quoted.slice(1, -1);
  }

  private numberOrSkip(): string | undefined {
    const c = this.peek()!;
    if (c !== '-' && (c < '0' || c > '9')) return this.skipValue();
    const start = this.i;
    this.skipValue();
    return this.s.slice(start, this.i);
  }

  /** Walks past one value; always undefined, so a skip can stand for "no number here". */
  private skipValue(): undefined {
    const c = this.peek();
    if (c === '"') this.skipString();
    else if (c === '{' || c === '[') this.skipContainer();
    // A number or a literal (true, false, null): runs up to the next delimiter.
    else while (this.i < this.s.length && !/[\s,\]}]/.test(this.s[this.i]!)) this.i++;
    return undefined;
  }

  private skipString(): void {
    this.i++; // opening quote
    while (this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    this.i++;
  }

  private skipContainer(): void {
    let depth = 0;
    do {
      const c = this.s[this.i];
      if (c === '"') {
        this.skipString();
        continue;
      }
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') depth--;
      this.i++;
    } while (depth > 0);
  }
}
