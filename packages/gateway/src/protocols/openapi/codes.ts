/**
 * The code catalogue (domain/errors.ts) as the API description states it: the refusal envelope,
 * one response per HTTP status naming the request-level codes it carries, and both tables as
 * `x-request-codes` and `x-business-codes` for tools.
 */
import { BUSINESS_CODES, REQUEST_CODES, type RequestCode } from '../../domain/errors.ts';

const refusals: RequestCode[] = Object.values(REQUEST_CODES).filter(
  (entry) => entry.code !== REQUEST_CODES.SUCCESS.code,
);

/** `{ret_code, ret_msg}` and nothing else: a refusal never has `data`. */
export const REFUSAL_SCHEMA = {
  type: 'object',
  description: 'A refused request: nothing was created or changed.',
  properties: {
    ret_code: { type: 'string', enum: [...new Set(refusals.map((entry) => entry.code))] },
    ret_msg: {
      type: 'string',
      description: "the code's message, then `: ` and a detail when there is one (a field's path first)",
    },
  },
  required: ['ret_code', 'ret_msg'],
  additionalProperties: false,
};

/** The HTTP statuses a refusal is answered with, each with the codes it carries. */
export function refusalStatuses(): Map<number, RequestCode[]> {
  const byStatus = new Map<number, RequestCode[]>();
  for (const entry of refusals) byStatus.set(entry.http, [...(byStatus.get(entry.http) ?? []), entry]);
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

/** One response object per refusal status, its codes listed, each with an example. */
export function refusalResponses(headers: Record<string, unknown>): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, entries] of refusalStatuses()) {
    responses[String(status)] = {
      description: entries.map((entry) => `\`${entry.code}\` ${entry.message}`).join('; '),
      headers,
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Refusal' },
          examples: Object.fromEntries(
            entries.map((entry) => [
              `${entry.code}-${status}-${entry.message.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 40)}`,
              { value: { ret_code: entry.code, ret_msg: entry.message } },
            ]),
          ),
        },
      },
    };
  }
  return responses;
}

/** The two tables, for tools that read the description rather than docs/api.md. */
export function codeTables() {
  return {
    'x-request-codes': Object.entries(REQUEST_CODES).map(([name, entry]) => ({ name, ...entry })),
    'x-business-codes': Object.entries(BUSINESS_CODES).map(([name, entry]) => ({ name, ...entry })),
  };
}
