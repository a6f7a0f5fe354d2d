/**
 * zod to JSON Schema 2020-12, the dialect of OpenAPI 3.1: a request as a client may send it (the
 * schema's input side), an answer as the gateway sends it (its output side). Fields that read
 * their own absence (core/input/fields.ts, REQUIRED_FIELDS) are listed as required all the same.
 */
import { z } from 'zod';
import { REQUIRED_FIELDS } from '../../core/input/fields.ts';

export type JsonSchema = Record<string, unknown>;

export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json: JsonSchema = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    // A value read by code (a wallet's token_data) is described as any JSON value.
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      if (!(zodSchema instanceof z.ZodObject)) return;
      const shape: Record<string, z.ZodType> = zodSchema.shape;
      const marked = Object.keys(shape).filter((key) => REQUIRED_FIELDS.has(shape[key]!));
      if (marked.length === 0) return;
      jsonSchema.required = [...new Set([...(jsonSchema.required ?? []), ...marked])];
    },
  });
  delete json.$schema;
  return json;
}
