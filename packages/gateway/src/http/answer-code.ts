/**
 * The envelope's `ret_code` of an API answer, kept on the reply by whoever writes the envelope
 * (each wire's sendOk, the shared refusal handler), so the request metrics can label answers by
 * code without reading bodies. Always a code of the catalogue (domain/errors.ts); empty for
 * answers that are not an envelope (pages, files, health).
 */
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyReply {
    answerCode: string;
  }
}

/** Declared on every instance up front, so setting it never changes the reply's shape. */
export function registerAnswerCode(instance: FastifyInstance): void {
  instance.decorateReply('answerCode', '');
}
