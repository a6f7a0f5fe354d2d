/**
 * The request body every JSON endpoint reads, signed or not: one JSON object, parsed from the
 * raw bytes, strictly (docs/api.md#transport-rules). Bytes that are not UTF-8 are refused, not
 * replaced by U+FFFD, so two different bodies never read as one; then strict-json.ts refuses
 * duplicate keys and numbers read as another integer.
 */
import { isUtf8 } from 'node:buffer';
import { ApiError } from '../domain/errors.ts';
import { checkJsonText, type JsonPath } from './strict-json.ts';

export interface JsonObjectRead {
  value: Record<string, unknown>;
  /** The source text of each number at one of the paths asked for, by its keys joined with '.'. */
  numberTexts: Map<string, string>;
  /**
   * A duplicate key or a number read as another integer: the caller throws it once it has read
   * what its refusal needs (v1.2 signs a refusal for the merchant_id the body names).
   */
  refusal: ApiError | undefined;
}

export function readJsonObject(raw: unknown): Record<string, unknown> {
  const read = readJsonObjectWithNumbers(raw, []);
  if (read.refusal) throw read.refusal;
  return read.value;
}

/**
 * readJsonObject, also answering the text of the numbers at `numbersAt` (JSON.parse loses it),
 * and handing back, not throwing, what makes well-formed JSON not strict.
 */
export function readJsonObjectWithNumbers(raw: unknown, numbersAt: readonly JsonPath[]): JsonObjectRead {
  if (!Buffer.isBuffer(raw) || raw.length === 0) {
    throw new ApiError('INVALID_REQUEST', 'the body must be a JSON object');
  }
  if (!isUtf8(raw)) throw new ApiError('INVALID_REQUEST', 'the body is not valid UTF-8');
  const text = raw.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the body around the error, which may be card data.
    throw new ApiError('INVALID_REQUEST', 'malformed JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError('INVALID_REQUEST', 'the body must be a JSON object');
  }
  const { numberTexts, problem } = checkJsonText(text, numbersAt);
  const refusal = problem === undefined ? undefined : new ApiError('INVALID_REQUEST', problem);
  return { value: value as Record<string, unknown>, numberTexts, refusal };
}
