/** Runs a zod schema over a verified body and turns the first problem into a 010000 that names the field. */
import type { z } from 'zod';
import { ApiError } from '../../domain/errors.ts';

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.');
  throw new ApiError('INVALID_REQUEST', field ? `${field} ${issue.message}` : issue.message);
}
