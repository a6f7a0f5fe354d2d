/**
 * Checking JSON against the API description's schemas: OpenAPI 3.1's dialect is JSON Schema
 * 2020-12, so ajv's 2020 build compiles a component with the document's other components
 * reachable through their `#/components/…` references.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { OpenApiDocument } from '../../src/protocols/openapi/document.ts';

export type Check = (value: unknown) => string | undefined;

/** A check of values against `components.schemas[name]`: undefined when it fits, else the problems. */
export function schemaCheck(doc: OpenApiDocument, name: string): Check {
  const cached = checks.get(doc)?.get(name);
  if (cached) return cached;
  const check = compile(doc, name);
  checks.set(doc, (checks.get(doc) ?? new Map()).set(name, check));
  return check;
}

/** Compiling is slow (the whole of components each time): one check per document and name. */
const checks = new WeakMap<OpenApiDocument, Map<string, Check>>();

function compile(doc: OpenApiDocument, name: string): Check {
  const schema = doc.components.schemas[name];
  if (!schema) throw new Error(`the description has no schema ${name}`);
  // strict: false, because the root also holds the rest of the document (paths, info…).
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile({ ...schema, components: doc.components });
  return (value) => (validate(value) ? undefined : ajv.errorsText(validate.errors, { dataVar: name }));
}
