/**
 * What JSON.parse lets through and a payment must not: a duplicate key (the last one would win,
 * so a signed `"amount":1000,…,"amount":1` charges 1) and a number that is not an integer but
 * reads as one (1000.00000000000001 is 1000 to JSON.parse). One pass over text JSON.parse has
 * accepted, without recursion (bodies nest 30,000 deep), which also hands back the source text
 * of the numbers at the paths asked for.
 */

/** A path into the body: object keys from the top. */
export type JsonPath = readonly string[];

/** A container being walked: an object's keys so far, or an array's next index. */
interface Frame {
  /** Keys in an array while few (faster to search than a Set), moved to a Set past SMALL_OBJECT. */
  keys: string[] | Set<string> | undefined;
  /** The member's key, or the element's index, being read in this container. */
  at: string | number;
}

// Character codes, named for the scanner below.
const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const COMMA = 44;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const LOWER_E = 101;
const UPPER_E = 69;
const ZERO = 48;
const NINE = 57;

/** Below this many characters, an integer in plain digits is finite (the largest double has 309 digits). */
const LONGEST_FINITE_INTEGER = 300;
/** Keys an object may have before its keys move from an array to a Set. */
const SMALL_OBJECT = 16;
/** Paths in messages are cut here: keys are the client's and may be long. */
const MAX_PATH_SHOWN = 120;

export interface JsonTextCheck {
  /** The source text of each number found at one of the paths asked for, by its keys joined with '.'. */
  numberTexts: Map<string, string>;
  /** What is wrong, worded for a 010000: the first duplicate key or number read as an integer. */
  problem: string | undefined;
}

/** Checks `text`, which must be JSON that JSON.parse accepted, and reads the numbers at `wanted`. */
export function checkJsonText(text: string, wanted: readonly JsonPath[] = []): JsonTextCheck {
  const found = new Map<string, string>();
  let problem: string | undefined;
  const deepest = wanted.reduce((most, path) => Math.max(most, path.length), 0);
  const stack: Frame[] = [];
  let expectKey = false;
  let i = 0;
  const end = text.length;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const close = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const inner = text.slice(i + 1, close - 1);
        const key = inner.includes('\\') ? (JSON.parse(text.slice(i, close)) as string) : inner;
        problem ??= addKey(top, key, stack);
        top.at = key;
        expectKey = false;
      }
      i = close;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      let stop = i + 1;
      while (stop < end && isNumberChar(text.charCodeAt(stop))) stop++;
      problem ??= numberProblem(text, i, stop, stack);
      if (stack.length <= deepest) {
        const path = wantedPath(stack, wanted);
        if (path !== undefined) found.set(path, text.slice(i, stop));
      }
      i = stop;
    } else if (c === OPEN_OBJECT) {
      stack.push({ keys: [], at: '' });
      expectKey = true;
      i++;
    } else if (c === OPEN_ARRAY) {
      stack.push({ keys: undefined, at: 0 });
      i++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      stack.pop();
      expectKey = false;
      i++;
    } else if (c === COMMA) {
      const top = stack[stack.length - 1]!;
      if (top.keys) expectKey = true;
      else top.at = (top.at as number) + 1;
      i++;
    } else {
      // Blanks, colons and the letters of true, false and null carry nothing to check.
      i++;
    }
  }
  return { numberTexts: found, problem };
}

/** Records `key` in the object `top`; answers the problem when the object has it already. */
function addKey(top: Frame, key: string, stack: Frame[]): string | undefined {
  const keys = top.keys!;
  const seen = Array.isArray(keys) ? keys.includes(key) : keys.has(key);
  if (seen) {
    const where = stack.length > 1 ? ` in ${pathOf(stack, stack.length - 1)}` : '';
    return `duplicate key ${shown(JSON.stringify(key))}${where}`;
  }
  if (!Array.isArray(keys)) keys.add(key);
  else if (keys.length < SMALL_OBJECT) keys.push(key);
  else top.keys = new Set([...keys, key]);
  return undefined;
}

/** The index just past the string whose opening quote is at `start`. */
function stringEnd(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  for (;;) {
    // A quote ends the string unless an odd number of backslashes escapes it.
    let slashes = 0;
    while (text.charCodeAt(quote - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return quote + 1;
    quote = text.indexOf('"', quote + 1);
  }
}

function isNumberChar(c: number): boolean {
  return (c >= ZERO && c <= NINE) || c === DOT || c === LOWER_E || c === UPPER_E || c === MINUS || c === PLUS;
}

/**
 * Refuses a number that is not an integer but whose value is one: the field checks judge
 * values, and would take 1000.00000000000001 as the integer 1000. Integers past 2^53−1 are the
 * field checks' to refuse (an amount or an identifier must be a safe integer): what any JSON
 * writer puts for a large double (59051569023232620) is not exactly that double either.
 */
function numberProblem(text: string, start: number, stop: number, stack: Frame[]): string | undefined {
  let plain = true;
  for (let k = start; k < stop; k++) {
    const c = text.charCodeAt(k);
    if (c === DOT || c === LOWER_E || c === UPPER_E) {
      plain = false;
      break;
    }
  }
  if (plain && stop - start < LONGEST_FINITE_INTEGER) return undefined;
  const number = text.slice(start, stop);
  const value = Number(number);
  if (!Number.isFinite(value))
    return `${pathOf(stack, stack.length)} is too large a number: ${shown(number)}`;
  if (plain || !Number.isInteger(value) || namesAnInteger(number)) return undefined;
  return `${pathOf(stack, stack.length)} must be an integer: ${shown(number)} is not one, though it would be read as ${value}`;
}

/** Whether a JSON number's text names an integer exactly (1e3, 1000.0 and 1.5e3 do; 1.05e1 does not). */
export function namesAnInteger(number: string): boolean {
  const m = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(number)!;
  const fraction = m[2] ?? '';
  // The digits without the point, and the power of ten that multiplies them.
  const digits = (m[1]! + fraction).replace(/0+$/, '');
  if (digits.replace(/^0+/, '') === '') return true;
  const zeros = m[1]!.length + fraction.length - digits.length;
  return Number(m[3] ?? 0) - fraction.length + zeros >= 0;
}

/** The frames' keys and indices, as the field checks name a field ("payment.card_no", "goods.0"). */
function pathOf(stack: Frame[], depth: number): string {
  const parts: (string | number)[] = [];
  for (let k = 0; k < depth; k++) parts.push(stack[k]!.at);
  return shown(parts.length === 0 ? 'the body' : parts.join('.'));
}

function shown(text: string): string {
  return text.length > MAX_PATH_SHOWN ? `${text.slice(0, MAX_PATH_SHOWN)}…` : text;
}

/** The joined path when the stack stands at one of `wanted` (objects all the way down). */
function wantedPath(stack: Frame[], wanted: readonly JsonPath[]): string | undefined {
  for (const path of wanted) {
    if (path.length !== stack.length) continue;
    let same = true;
    for (let k = 0; k < path.length && same; k++)
      same = stack[k]!.keys !== undefined && stack[k]!.at === path[k];
    if (same) return path.join('.');
  }
  return undefined;
}
