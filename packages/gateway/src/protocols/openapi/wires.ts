/**
 * What each wire adds around an operation, as the API description states it: how a request is
 * signed (security schemes and headers, docs/signing.md), what the body carries beside the
 * operation's fields, the headers every answer is signed in, and the success envelope.
 */
import { API_VERSION, SIGNATURE_TYPE, V3_HEADERS, V3_SIGN_ALG } from '@openkka/sdk/signing';
import { z } from 'zod';
import { REQUEST_CODES } from '../../domain/errors.ts';
import { unpaidSessionAnswer } from '../../operations/answers.ts';
import type { OperationName } from '../../operations/index.ts';
import { type JsonSchema, jsonSchemaOf } from './json-schema.ts';

export type WireName = 'v1.2' | 'v3';

const string = (description: string) => ({ schema: { type: 'string' }, description });

export const SECURITY_SCHEMES = {
  v12Signature: {
    type: 'apiKey',
    in: 'header',
    name: 'signature',
    description:
      'SHA256withRSA with the merchant key, base64, over `merchantId=<merchant_id>&timestamp=<timestamp>&requestBody=<the raw body>` (docs/signing.md). A signature is accepted once (300071).',
  },
  v3Signature: {
    type: 'apiKey',
    in: 'header',
    name: V3_HEADERS.sign,
    description: `SHA256withRSA with the merchant key, base64 (percent-encoded or not), over five lines joined by a line feed: POST, the path, ${V3_HEADERS.timestamp}, ${V3_HEADERS.nonce} and the raw body (docs/signing.md#v3).`,
  },
  v3AppId: {
    type: 'apiKey',
    in: 'header',
    name: V3_HEADERS.appId,
    description: 'The app id: the merchant id unless the merchant was given one of its own.',
  },
};

/** Either wire: the request id, outside the signature (docs/api.md#request-ids). */
const REQUEST_ID = {
  parameter: {
    name: 'x-request-id',
    in: 'header',
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:@/+=-]{1,128}$' },
    description:
      'optional; kept as the request id when it fits the pattern, else one is made; never a reason to refuse',
  },
  answer: string("the request's id, the client's or one made (`req_` and 16 hex digits); not signed"),
};

type Ref = { $ref: string };

export interface Wire {
  name: WireName;
  /** Prefixes its components' names. */
  key: 'V12' | 'V3';
  security: Record<string, string[]>[];
  /** Request headers besides the security schemes'. */
  parameters: Record<string, unknown>[];
  /** Headers every answer carries, refusals included: those it is signed in, and the request id. */
  answerHeaders: Record<string, { schema: { type: string }; description: string }>;
  /** The request body: the wire's own fields, then the operation's. */
  request(operation: Ref): JsonSchema;
  /** An answer's `data` as this wire sends it. */
  data(answer: z.ZodType): JsonSchema;
  /** The success envelope of operation `name` around its `data` (none: no `data`). */
  success(name: OperationName, data: Ref | undefined): JsonSchema;
  /** What this wire answers differently for operation `name`, if anything. */
  note(name: OperationName): string | undefined;
}

/** `{ret_code: "000000", ret_msg: "Success"}` with `data` and whatever else the wire puts at the top. */
function envelope(data: JsonSchema | undefined, top: Record<string, JsonSchema> = {}): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    ret_code: { const: REQUEST_CODES.SUCCESS.code },
    ret_msg: { const: REQUEST_CODES.SUCCESS.message },
    ...top,
  };
  if (data) properties.data = data;
  return {
    type: 'object',
    properties,
    required: Object.keys(properties),
    additionalProperties: false,
  };
}

const timestampField = z
  .number()
  .int()
  .meta({ description: 'when the answer was made (ms); the `timestamp` header' });

export const V12: Wire = {
  name: 'v1.2',
  key: 'V12',
  security: [{ v12Signature: [] }],
  parameters: [
    { name: 'type', in: 'header', ...string(`\`${SIGNATURE_TYPE}\` (may be left out)`) },
    { name: 'version', in: 'header', ...string(`\`${API_VERSION}\` (may be left out; another is refused)`) },
    REQUEST_ID.parameter,
  ],
  answerHeaders: {
    signature: string('SHA256withRSA with the platform key over the answer, as a request is signed'),
    type: string(SIGNATURE_TYPE),
    version: string(API_VERSION),
    timestamp: string('the time the answer is signed with (ms)'),
    'x-request-id': REQUEST_ID.answer,
  },
  request: (operation) => ({
    allOf: [
      {
        type: 'object',
        properties: {
          merchant_id: { type: 'string', description: 'who signs the request' },
          timestamp: {
            anyOf: [
              { type: 'integer', minimum: 0 },
              { type: 'string', pattern: '^[0-9]{1,16}$' },
            ],
            description: 'the time of signing (ms since the epoch), within the signature window',
          },
          version: { const: API_VERSION },
        },
        required: ['merchant_id', 'timestamp'],
      },
      operation,
    ],
  }),
  // v1.2 puts the signing timestamp into an object's data.
  data: (answer) =>
    jsonSchemaOf(
      answer instanceof z.ZodObject ? answer.extend({ timestamp: timestampField }) : answer,
      'output',
    ),
  success: (_name, data) => envelope(data),
  note: (name) =>
    name === 'queryPayment'
      ? 'A checkout session with no payment yet is refused with `206024`; over v3 it is an answer.'
      : undefined,
};

export const V3: Wire = {
  name: 'v3',
  key: 'V3',
  security: [{ v3AppId: [], v3Signature: [] }],
  parameters: [
    {
      name: V3_HEADERS.timestamp,
      in: 'header',
      required: true,
      schema: { type: 'string', pattern: '^[0-9]{1,16}$' },
      description: 'the time of sending, epoch milliseconds, within the signature window',
    },
    {
      name: V3_HEADERS.nonce,
      in: 'header',
      required: true,
      schema: { type: 'string', minLength: 1, maxLength: 64 },
      description: 'used once per app id (300070): 1 to 64 visible ASCII characters',
    },
    { name: V3_HEADERS.signAlg, in: 'header', ...string(`\`${V3_SIGN_ALG}\` (may be left out)`) },
    REQUEST_ID.parameter,
  ],
  answerHeaders: {
    [V3_HEADERS.appId]: string("the request's app id, echoed"),
    [V3_HEADERS.timestamp]: string('the time the answer is signed with (ms)'),
    [V3_HEADERS.nonce]: string("the answer's own nonce"),
    [V3_HEADERS.signAlg]: string(V3_SIGN_ALG),
    [V3_HEADERS.sign]: string(
      'SHA256withRSA with the platform key, percent-encoded, over the five lines of the answer',
    ),
    'x-request-id': REQUEST_ID.answer,
  },
  request: (operation) => ({
    allOf: [
      {
        type: 'object',
        properties: {
          merchant_id: {
            type: 'string',
            description: `optional; when sent, the merchant of ${V3_HEADERS.appId}`,
          },
        },
      },
      operation,
    ],
  }),
  data: (answer) => jsonSchemaOf(answer, 'output'),
  success: (name, data) => {
    // v3 answers a session not paid yet as a success (docs/api.md#paykka-v3).
    if (name === 'queryPayment' && data) return envelope({ oneOf: [data, UNPAID_SESSION] });
    // PayKKa's plugin reads a new refund's id at the top level.
    if (name === 'refund') return envelope(data, { refund_order_id: { type: 'string' } });
    return envelope(data);
  },
  note: (name) => {
    if (name === 'queryPayment') {
      return 'A checkout session with no payment yet (named by `session_id`, or by the `trans_id` it was made with) is not a refusal: `data` is an `UnpaidSession` with `error_code` `4032`.';
    }
    if (name === 'refund')
      return "`refund_order_id` is also at the top of the answer, where PayKKa's plugin reads it.";
    return undefined;
  },
};

/** Its own component (document.ts), beside the answers'. */
export const UNPAID_SESSION_NAME = 'UnpaidSession';
const UNPAID_SESSION = { $ref: `#/components/schemas/${UNPAID_SESSION_NAME}` };

export const unpaidSessionSchema = () => jsonSchemaOf(unpaidSessionAnswer, 'output');
