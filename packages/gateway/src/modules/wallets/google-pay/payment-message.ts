/**
 * The decrypted message of a Google Pay token: `messageExpiration` (epoch ms as a string),
 * `messageId`, `paymentMethod` "CARD" and `paymentMethodDetails` {pan, expirationMonth,
 * expirationYear, authMethod, and for CRYPTOGRAM_3DS the cryptogram and, optionally,
 * eciIndicator}. Anything else (another payment method, an unknown authMethod, a missing
 * field) is not a card openkka can charge: undefined, which the caller answers with 5026.
 */

export type GooglePayCard =
  | { authMethod: 'PAN_ONLY'; pan: string; expMonth: number; expYear: number }
  | {
      authMethod: 'CRYPTOGRAM_3DS';
      pan: string;
      expMonth: number;
      expYear: number;
      cryptogram: string;
      eci: string;
    };

export interface PaymentMessage {
  messageId: string;
  expiresAt: number;
  card: GooglePayCard;
}

type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A whole number from a number or a digit string (Google sends numbers; some relays send strings). */
function whole(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d{1,4}$/.test(v)) return Number(v);
  return undefined;
}

function card(details: Fields): GooglePayCard | undefined {
  const { pan, expirationMonth, expirationYear, authMethod, cryptogram, eciIndicator } = details;
  const month = whole(expirationMonth);
  const year = whole(expirationYear);
  if (typeof pan !== 'string' || !/^\d{12,19}$/.test(pan) || month === undefined || year === undefined) {
    return undefined;
  }
  if (authMethod === 'PAN_ONLY') return { authMethod, pan, expMonth: month, expYear: year };
  if (authMethod !== 'CRYPTOGRAM_3DS' || typeof cryptogram !== 'string' || cryptogram === '')
    return undefined;
  // Mastercard tokens may carry no ECI at all; an empty one stands for "not given".
  const eci = typeof eciIndicator === 'string' && /^\d{1,2}$/.test(eciIndicator) ? eciIndicator : '';
  return { authMethod, pan, expMonth: month, expYear: year, cryptogram, eci };
}

export function readPaymentMessage(plaintext: Buffer): PaymentMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(plaintext.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  const { messageId, messageExpiration, paymentMethod, paymentMethodDetails } = parsed;
  if (typeof messageId !== 'string' || messageId === '' || messageId.length > 512) return undefined;
  if (typeof messageExpiration !== 'string' || !/^\d{1,16}$/.test(messageExpiration)) return undefined;
  if (paymentMethod !== 'CARD' || !isObject(paymentMethodDetails)) return undefined;
  const details = card(paymentMethodDetails);
  return details && { messageId, expiresAt: Number(messageExpiration), card: details };
}
