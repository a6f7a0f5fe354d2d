/** The request body every signed wire reads: one JSON object, parsed from the raw bytes. */
import { ApiError } from '../domain/errors.ts';

export function readJsonObject(raw: unknown): Record<string, unknown> {
  if (!Buffer.isBuffer(raw) || raw.length === 0) {
    throw new ApiError('INVALID_REQUEST', 'the body must be a JSON object');
  }
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    // Not the parser's message: it quotes the body around the error, which may be card data.
    throw new ApiError('INVALID_REQUEST', 'malformed JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError('INVALID_REQUEST', 'the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}
