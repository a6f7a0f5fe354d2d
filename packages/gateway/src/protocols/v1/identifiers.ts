/**
 * Identifiers a client may send as JSON integers. PayKKa's v1.2 WooCommerce plugin sends its
 * order id as `"trans_id": 1967860`; openkka reads such a number as the digits the client
 * wrote, "1967860", and from then on it is that string everywhere: idempotency key, store,
 * answers and notifications.
 *
 * A number is judged by its text, not its value. Only plain digits (`0` or no leading zero, no
 * sign, fraction or exponent) up to 2^53−1 are read: `1e3`, `1000.0` or `-0` parse to an
 * integer, but which string would the client have meant? Refusing them keeps "the digits you
 * sent" the whole rule, and values past 2^53−1 are refused because JSON.parse has already
 * rounded them.
 */
/** Where identifiers live in request bodies; one list for every operation. */
export const IDENTIFIER_PATHS: readonly (readonly string[])[] = [
  ['merchant_id'],
  ['trans_id'],
  ['refund_trans_id'],
  ['shopper_reference'],
  ['payment', 'shopper_reference'],
];

const PLAIN_DIGITS = /^(?:0|[1-9][0-9]*)$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Replaces, in `body`, every identifier sent as a number in plain digits with those digits;
 * `numberTexts` holds the source text of the numbers at IDENTIFIER_PATHS, by path joined with
 * '.' (readJsonObjectWithNumbers). Any other number is left for the field checks to refuse,
 * with IDENTIFIER_NUMBER_MESSAGE.
 */
export function identifiersAsText(
  body: Record<string, unknown>,
  numberTexts: ReadonlyMap<string, string>,
): void {
  for (const path of IDENTIFIER_PATHS) {
    let holder: unknown = body;
    for (const key of path.slice(0, -1)) holder = isObject(holder) ? holder[key] : undefined;
    const name = path[path.length - 1]!;
    if (!isObject(holder) || typeof holder[name] !== 'number') continue;
    const digits = numberTexts.get(path.join('.'));
    if (digits !== undefined && PLAIN_DIGITS.test(digits) && Number.isSafeInteger(holder[name])) {
      holder[name] = digits;
    }
  }
}
