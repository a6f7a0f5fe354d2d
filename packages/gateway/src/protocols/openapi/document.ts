/**
 * The OpenAPI 3.1 description of the API, built from what the gateway serves: the paths each wire
 * registers, the operations' own request schemas and answer shapes (operations/contract.ts),
 * each wire's signature and envelope (wires.ts) and the code catalogue (codes.ts).
 */
import { API_VERSION } from '@openkka/sdk/signing';
import type { TimeZone } from '../../domain/time-zone.ts';
import { operationContracts } from '../../operations/contract.ts';
import type { OperationName } from '../../operations/index.ts';
import { codeTables, REFUSAL_SCHEMA, refusalResponses, refusalStatuses } from './codes.ts';
import { EXAMPLES } from './examples.ts';
import { type JsonSchema, jsonSchemaOf } from './json-schema.ts';
import { SECURITY_SCHEMES, UNPAID_SESSION_NAME, unpaidSessionSchema, V3, V12, type Wire } from './wires.ts';

/** Each wire's paths, in full, and the operation each serves. */
export interface ServedPaths {
  v12: Readonly<Record<string, OperationName>>;
  v3: Readonly<Record<string, OperationName>>;
}

/** An example time (ms) for the v1.2 examples' `timestamp`. */
const EXAMPLE_MS = 1_767_231_000_000;

const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1);

/** The component names of an operation's fields, and of a wire's request body and success answer. */
export const componentNames = (name: OperationName, wire: Wire['key']) => ({
  fields: `${pascal(name)}Fields`,
  request: `${wire}${pascal(name)}Request`,
  answer: `${wire}${pascal(name)}Answer`,
});

type Ref = {
  $ref: string;
};

const ref = (kind: 'schemas' | 'responses', name: string): Ref => ({ $ref: `#/components/${kind}/${name}` });

interface Content {
  'application/json': { schema: Ref; example: unknown };
}

/** The parts of an operation object the /docs page reads. */
export interface PostOperation {
  operationId: string;
  'x-operation': OperationName;
  'x-wire': Wire['key'];
  summary: string;
  description: string;
  requestBody: { required: true; content: Content };
  responses: Record<string, Ref | { description: string; headers: unknown; content: Content }>;
  [key: string]: unknown;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string; license: Record<string, string> };
  paths: Record<string, { post: PostOperation }>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, unknown>;
    headers: Record<string, unknown>;
    securitySchemes: Record<string, { name: string; description: string }>;
  };
  'x-request-codes': { name: string; code: string; http: number; message: string }[];
  'x-business-codes': { name: string; code: string; description: string }[];
  [key: string]: unknown;
}

/** The example of a wire's request body and success answer for `name`. */
function examplesOf(wire: Wire, name: OperationName) {
  const { request, answer } = EXAMPLES[name];
  if (wire.name === 'v3') {
    const top =
      name === 'refund' ? { refund_order_id: (answer as { refund_order_id: string }).refund_order_id } : {};
    return { request, answer: envelopeExample(answer, top) };
  }
  const data =
    answer && typeof answer === 'object' && !Array.isArray(answer)
      ? { timestamp: EXAMPLE_MS, ...answer }
      : answer;
  return {
    request: { merchant_id: '52831903747286', timestamp: EXAMPLE_MS, version: API_VERSION, ...request },
    answer: envelopeExample(data, {}),
  };
}

function envelopeExample(data: unknown, top: Record<string, unknown>) {
  return { ret_code: '000000', ret_msg: 'Success', ...top, ...(data === undefined ? {} : { data }) };
}

/** An order or refund that failed (a decline) is answered, not refused: its outcome is in data. */
function successDescription(answer: string | undefined): string {
  if (!answer) return 'Done: no `data`';
  if (answer === 'Order' || answer === 'Refund') {
    return 'Accepted: the outcome, a decline included, is in `data.status` and `data.error_code`';
  }
  return 'Done';
}

export function buildDocument(served: ServedPaths, zone: TimeZone): OpenApiDocument {
  const contracts = operationContracts(zone);
  const schemas: Record<string, JsonSchema> = {
    Refusal: REFUSAL_SCHEMA,
    [UNPAID_SESSION_NAME]: unpaidSessionSchema(),
  };
  const responses: Record<string, unknown> = {};
  const headers: Record<string, unknown> = {};
  const paths: Record<string, { post: PostOperation }> = {};

  for (const [wire, routes] of [
    [V12, served.v12],
    [V3, served.v3],
  ] as const) {
    const key = wire.key;
    // Described once per wire, referred to by every answer.
    const answerHeaders: Record<string, { $ref: string }> = {};
    for (const [header, described] of Object.entries(wire.answerHeaders)) {
      headers[`${key}-${header}`] = described;
      answerHeaders[header] = { $ref: `#/components/headers/${key}-${header}` };
    }
    for (const [status, response] of Object.entries(refusalResponses(answerHeaders))) {
      responses[`${key}Refusal${status}`] = response;
    }
    for (const [path, name] of Object.entries(routes)) {
      const contract = contracts[name];
      const names = componentNames(name, key);
      schemas[names.fields] ??= jsonSchemaOf(contract.request, 'input');
      schemas[names.request] ??= wire.request(ref('schemas', names.fields));
      const answer = contract.answer;
      const dataName = answer && `${key === 'V12' ? 'V12' : ''}${answer.name}`;
      if (answer && dataName) schemas[dataName] ??= wire.data(answer.schema);
      schemas[names.answer] ??= wire.success(name, dataName ? ref('schemas', dataName) : undefined);
      const example = examplesOf(wire, name);
      paths[path] = {
        post: {
          operationId: `${key.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c?: string) => (c ?? '').toUpperCase())}`,
          'x-operation': name,
          'x-wire': key,
          tags: [`PayKKa ${wire.name}`],
          summary: contract.summary,
          description: [`The operation \`${name}\`: docs/api.md#${contract.section}.`, wire.note(name)]
            .filter(Boolean)
            .join(' '),
          security: wire.security,
          parameters: wire.parameters,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: ref('schemas', names.request),
                example: example.request,
              },
            },
          },
          responses: {
            '200': {
              description: successDescription(contract.answer?.name),
              headers: answerHeaders,
              content: {
                'application/json': {
                  schema: ref('schemas', names.answer),
                  example: example.answer,
                },
              },
            },
            ...Object.fromEntries(
              [...refusalStatuses().keys()].map((status) => [
                String(status),
                ref('responses', `${key}Refusal${status}`),
              ]),
            ),
          },
        },
      };
    }
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'openkka payment API',
      version: API_VERSION,
      description: [
        "PayKKa's payment API as openkka serves it: v1.2 under `/payments` (each path also under `/apis`), and v3 under `/v3/payment/acq`.",
        'Every operation is a POST of a signed JSON body, answered in a signed envelope `{ret_code, ret_msg, data}`; refusals carry no `data` and change nothing.',
        'Request-level codes are in `x-request-codes`, business codes (`data.error_code`) in `x-business-codes`.',
      ].join('\n\n'),
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    tags: [
      {
        name: 'PayKKa v1.2',
        description: 'Signed with the `signature` header over merchant_id, timestamp and the body.',
      },
      {
        name: 'PayKKa v3',
        description: 'Signed with the `x-paykka-*` headers over the method, path, timestamp, nonce and body.',
      },
    ],
    paths,
    components: { schemas, responses, headers, securitySchemes: SECURITY_SCHEMES },
    ...codeTables(),
  };
}
