/**
 * The admin API on an instance of its own (OPENKKA_ADMIN_LISTEN): the operators' routes and
 * nothing else, refusals in the v1.2 envelope like on the public listener.
 */
import type { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../domain/errors.ts';
import { registerEnvelope } from './envelope.ts';
import { type AdminDeps, adminRoutes } from './routes/notifications-admin.ts';

export function registerAdminApi(admin: FastifyInstance, deps: AdminDeps & { platformKey: KeyObject }): void {
  registerEnvelope(admin, { clock: deps.clock, platformKey: deps.platformKey });
  admin.setNotFoundHandler(async (request) => {
    throw new ApiError('ROUTE_NOT_FOUND', request.url.split('?')[0]);
  });
  admin.register(async (scope) => adminRoutes(scope, deps));
}
