/**
 * How every wire refuses: an error thrown below a route mapped onto the catalogue
 * (domain/errors.ts) and answered as `{ret_code, ret_msg}` with the catalogue's HTTP status.
 * Each wire signs the refusal its own way, in its own onSend hook.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError, REQUEST_CODES } from '../domain/errors.ts';

/** Fastify's own errors (body limit, bad content) mapped onto the catalogue; anything else is ours to fix. */
export function toApiError(error: FastifyError): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ApiError('PAYLOAD_TOO_LARGE');
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new ApiError('INVALID_REQUEST', error.message);
  }
  return undefined;
}

/** Installs the error handler on a wire's scope: known errors refused, anything else logged as 999999. */
export function answerErrorsAsRefusals(scope: FastifyInstance): void {
  scope.setErrorHandler((error: FastifyError, request, reply) => {
    const known = toApiError(error);
    if (!known) request.log.error({ err: error }, 'unhandled error');
    const entry = known?.entry ?? REQUEST_CODES.SYSTEM_ERROR;
    reply.answerCode = entry.code;
    return reply
      .code(entry.http)
      .type('application/json')
      .send(JSON.stringify({ ret_code: entry.code, ret_msg: known?.message ?? entry.message }));
  });
}
