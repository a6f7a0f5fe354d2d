/**
 * A Fastify instance as every listener of the gateway is built (the public one, the admin
 * one): bodies kept as raw bytes, lazy request loggers, the timeouts, the connection cap,
 * the per-IP rate limit and the headers every answer carries.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { registerAnswerCode } from './answer-code.ts';
import { applyLimits, type LimitSettings, type RateLimits, timeoutOptions } from './limits/index.ts';
import { genReqId } from './request-id.ts';
import { lazyRequestLogger } from './request-logger.ts';
import { registerResponseHeaders } from './response-headers.ts';

/** As docs/api.md#transport-rules says: bodies over 64 KiB are refused unread. */
export const BODY_LIMIT = 64 * 1024;

export interface InstanceOptions {
  logger: FastifyBaseLogger;
  limits: LimitSettings;
  rateLimits: RateLimits;
  /** Proxies whose X-Forwarded-For names the client, for `request.ip`; none when unset. */
  trustedProxies?: string[] | undefined;
}

export function createInstance(options: InstanceOptions): FastifyInstance {
  const instance = Fastify({
    loggerInstance: options.logger,
    bodyLimit: BODY_LIMIT,
    // Per-request log lines would cost more than the payment at load; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyRequestLogger,
    // Checked here, not taken as sent: a client's id reaches logs and notification headers.
    requestIdHeader: false,
    genReqId,
    ...timeoutOptions(options.limits),
    ...(options.trustedProxies ? { trustProxy: options.trustedProxies } : {}),
  });
  // The signature covers the raw bytes, so the body stays a Buffer until auth has verified it;
  // any content type is read that way (PayKKa clients are not all careful about the header).
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  applyLimits(instance, options.limits, options.rateLimits, options.logger);
  registerResponseHeaders(instance);
  registerAnswerCode(instance);
  return instance;
}
