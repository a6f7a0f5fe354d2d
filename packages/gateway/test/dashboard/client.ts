/**
 * An operator's browser reduced to HTTP for the dashboard's tests: logs in with the form, keeps
 * the session cookie, reads each page's CSRF token, and never follows a redirect by itself.
 */
import { expect } from 'vitest';

export interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

export async function request(
  baseUrl: string,
  path: string,
  options: {
    method?: 'GET' | 'POST';
    cookie?: string;
    form?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  if (options.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(baseUrl + path, {
    method: options.method ?? (options.form ? 'POST' : 'GET'),
    headers,
    redirect: 'manual',
    ...(options.form ? { body: new URLSearchParams(options.form).toString() } : {}),
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

export interface Operator {
  cookie: string;
  /** The session's CSRF token, as every page's forms carry it. */
  csrf: string;
  get(path: string): Promise<Answer>;
  post(path: string, form?: Record<string, string>, headers?: Record<string, string>): Promise<Answer>;
}

export async function login(baseUrl: string, token: string): Promise<Operator> {
  const answer = await request(baseUrl, '/dashboard/login', { form: { token } });
  expect(answer.status).toBe(303);
  const cookie = answer.headers.getSetCookie().find((c) => c.startsWith('openkka_dashboard='))!;
  const pair = cookie.split(';')[0]!;
  const page = await request(baseUrl, '/dashboard/payments', { cookie: pair });
  expect(page.status).toBe(200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
  return {
    cookie: pair,
    csrf,
    get: (path) => request(baseUrl, path, { cookie: pair }),
    post: (path, form = {}, headers = {}) =>
      request(baseUrl, path, { cookie: pair, form: { csrf, ...form }, headers }),
  };
}
