/**
 * The dashboard's files, read once at start: its stylesheet (public: the login form needs it,
 * and it says nothing), and behind the session uPlot (from node_modules, pinned in package.json)
 * and the overview's script. Each is cached by the browser for an hour with a validator.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { DashboardSessions } from '../../modules/dashboard/sessions.ts';
import { cookie, SESSION_COOKIE } from './session.ts';
import { BASE } from './shell.ts';

const browserFile = (name: string) => new URL(`../../../browser/dashboard/${name}`, import.meta.url);
const uplotFile = (name: string) => createRequire(import.meta.url).resolve(`uplot/dist/${name}`);

const CSS = 'text/css; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';

export function assetRoutes(app: FastifyInstance, deps: { sessions: DashboardSessions }): void {
  serve(app, 'dashboard.css', browserFile('dashboard.css'), CSS, undefined);
  serve(app, 'uPlot.min.css', uplotFile('uPlot.min.css'), CSS, deps.sessions);
  serve(app, 'uPlot.iife.min.js', uplotFile('uPlot.iife.min.js'), JS, deps.sessions);
  serve(app, 'overview.js', browserFile('overview.js'), JS, deps.sessions);
}

function serve(
  app: FastifyInstance,
  name: string,
  file: URL | string,
  type: string,
  sessions: DashboardSessions | undefined,
): void {
  const bytes = readFileSync(file);
  const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
  app.get(`${BASE}/assets/${name}`, async (request, reply) => {
    if (sessions && !(await sessions.valid(cookie(request, SESSION_COOKIE)))) {
      return reply.code(401).type('text/plain; charset=utf-8').send('log in first');
    }
    reply.header('cache-control', `${sessions ? 'private' : 'public'}, max-age=3600`).header('etag', etag);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.code(200).type(type).send(bytes);
  });
}
