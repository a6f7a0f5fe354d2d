// The API description (protocols/openapi) is valid OpenAPI 3.1, states every code of the
// catalogue, and its examples pass the gateway's own request schemas and the described answers.
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { BUSINESS_CODES, REQUEST_CODES } from '../../../src/domain/errors.ts';
import { TimeZone } from '../../../src/domain/time-zone.ts';
import { operationContracts } from '../../../src/operations/contract.ts';
import type { OperationName } from '../../../src/operations/index.ts';
import { buildDocument, componentNames } from '../../../src/protocols/openapi/document.ts';
import { EXAMPLES } from '../../../src/protocols/openapi/examples.ts';
import { API_OPERATIONS } from '../../../src/protocols/v1/index.ts';
import { V3_OPERATIONS } from '../../../src/protocols/v3/index.ts';
import { schemaCheck } from '../../helpers/openapi.ts';

const zone = TimeZone.named('Asia/Hong_Kong');
const doc = buildDocument({ v12: API_OPERATIONS, v3: V3_OPERATIONS }, zone);
const names = Object.keys(EXAMPLES) as OperationName[];

describe('the API description', () => {
  it('validates as OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('describes every path of both wires, each with its signature and every refusal status', () => {
    expect(Object.keys(doc.paths).sort()).toEqual(
      [...Object.keys(API_OPERATIONS), ...Object.keys(V3_OPERATIONS)].sort(),
    );
    const statuses = [...new Set(Object.values(REQUEST_CODES).map((c) => String(c.http)))].filter(
      (s) => s !== '200',
    );
    for (const [path, { post }] of Object.entries(doc.paths)) {
      expect(post.security, path).toEqual(
        path.startsWith('/v3/') ? [{ v3AppId: [], v3Signature: [] }] : [{ v12Signature: [] }],
      );
      expect(Object.keys(post.responses).sort(), path).toEqual(['200', ...statuses].sort());
    }
  });

  it('lists every request-level and business code with its meaning', () => {
    expect(doc['x-request-codes'].map((c) => `${c.code} ${c.http} ${c.message}`)).toEqual(
      Object.values(REQUEST_CODES).map((c) => `${c.code} ${c.http} ${c.message}`),
    );
    expect(doc['x-business-codes'].map((c) => `${c.code} ${c.description}`)).toEqual(
      Object.values(BUSINESS_CODES).map((c) => `${c.code} ${c.description}`),
    );
    // And the answers' error_code is one of them, each explained.
    const order = doc.components.schemas.Order as {
      properties: { error_code: { enum: string[]; description: string } };
    };
    const { enum: codes, description } = order.properties.error_code;
    for (const { code, description: meaning } of Object.values(BUSINESS_CODES)) {
      expect(codes).toContain(code);
      expect(description).toContain(`\`${code}\`: ${meaning}`);
    }
    const refusals = JSON.stringify(doc.components.responses);
    for (const { code, message } of Object.values(REQUEST_CODES).filter((c) => c.code !== '000000')) {
      expect(refusals).toContain(`\`${code}\` ${message}`);
    }
  });

  it('states as required the fields the schemas read the absence of themselves', () => {
    const pay = doc.components.schemas.PayFields as {
      required: string[];
      properties: { payment: { required: string[] }; amount: { anyOf: unknown[] } };
    };
    expect(pay.required).toEqual(
      expect.arrayContaining(['trans_id', 'payment_type', 'currency', 'amount', 'payment']),
    );
    expect(pay.required).not.toContain('notify_url');
    expect(pay.properties.payment.required).toContain('payment_method');
    expect(pay.properties.amount.anyOf).toEqual([
      { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
      { type: 'string', pattern: '^[0-9]{1,16}$' },
    ]);
    const capture = doc.components.schemas.CaptureFields as { required: string[] };
    expect(capture.required.sort()).toEqual(['amount', 'currency', 'order_id']);
  });

  it('points each operation to a section docs/api.md has', () => {
    const api = readFileSync(new URL('../../../../../docs/api.md', import.meta.url), 'utf8');
    // GitHub's anchors: lower case, punctuation dropped, spaces as hyphens.
    const anchors = new Set(
      [...api.matchAll(/^#{2,4} (.+)$/gm)].map(([, heading]) =>
        heading!
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    expect(anchors).toContain('initiate-transaction-payments');
    for (const { section } of Object.values(operationContracts(zone))) expect(anchors).toContain(section);
  });

  it("has examples the gateway's own request schemas accept", () => {
    const contracts = operationContracts(zone);
    for (const name of names) {
      const parsed = contracts[name].request.safeParse(EXAMPLES[name].request);
      expect(parsed.error?.issues, name).toBeUndefined();
    }
  });

  it('has answer examples that fit the answers it describes, over both wires', () => {
    for (const { post } of Object.values(doc.paths)) {
      const check = schemaCheck(doc, componentNames(post['x-operation'], post['x-wire']).answer);
      const ok = post.responses['200'] as { content: { 'application/json': { example: unknown } } };
      expect(check(ok.content['application/json'].example), post.operationId).toBeUndefined();
    }
  });

  it('refuses an answer that drifted from the description', () => {
    const check = schemaCheck(doc, 'V12PayAnswer');
    const example = structuredClone(EXAMPLES.pay.answer) as Record<string, unknown>;
    const envelope = { ret_code: '000000', ret_msg: 'Success', data: { timestamp: 1, ...example } };
    expect(check(envelope)).toBeUndefined();
    expect(check({ ...envelope, data: { ...envelope.data, card_no: '4242424242424242' } })).toMatch(
      /additional/,
    );
    expect(check({ ...envelope, data: { ...envelope.data, error_code: '7777' } })).toMatch(/error_code/);
    expect(check({ ...envelope, data: { ...envelope.data, amount: '1000' } })).toMatch(/amount/);
    expect(check({ ret_code: '010000', ret_msg: 'Invalid request' })).toMatch(/ret_code/);
  });
});
