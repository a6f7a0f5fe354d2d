/**
 * /docs: the API description rendered as one HTML page on the server, from the document itself
 * (document.ts), so the page and /openapi.json cannot say different things. No script, no
 * asset from anywhere: its one stylesheet is inline, allowed by its hash.
 */
import { escapeHtml } from '../../pages/layout.ts';
import { componentNames, type OpenApiDocument, type PostOperation } from './document.ts';
import type { JsonSchema } from './json-schema.ts';

export const PAGE_STYLE = `
  body { font-family: system-ui, sans-serif; margin: 0; color: #1d2330; background: #f7f8fa; line-height: 1.45; }
  main { max-width: 1080px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
  h1 { margin-top: 0; } h2 { border-bottom: 1px solid #e3e6eb; padding-bottom: 6px; margin-top: 40px; }
  code, pre { font-family: ui-monospace, monospace; font-size: .88rem; }
  pre { background: #f4f5f7; padding: 12px; border-radius: 6px; overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; margin: 10px 0 18px; font-size: .92rem; }
  th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #e3e6eb; padding: 5px 8px;
           overflow-wrap: anywhere; }
  th { background: #f4f5f7; } .post { font-weight: 700; color: #2456d3; }
  nav ul { columns: 2; } .muted { color: #5b6475; }
`;

const code = (text: string) => `<code>${escapeHtml(text)}</code>`;

/** Inline `code` spans of a description, the rest escaped. */
const prose = (text: unknown) =>
  typeof text === 'string' ? escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>') : '';

/** A short type: `string ≤ 64`, `integer or string`, `PURCHASE | RECURRING`. */
function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (alternatives) return alternatives.map(typeOf).join(' or ');
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : String(schema.type ?? 'any');
  const max = schema.maxLength ?? schema.maxItems;
  return max === undefined ? type : `${type} ≤ ${max}`;
}

/** Rows of a fields table, nested objects (and arrays of objects) flattened to dotted names. */
function fieldRows(schema: JsonSchema, prefix = ''): string[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).flatMap(([name, field]) => {
    const item = field.type === 'array' ? (field.items as JsonSchema) : field;
    const row = `<tr><td>${code(prefix + name)}</td><td>${escapeHtml(typeOf(field))}</td><td>${required.has(name) ? 'yes' : ''}</td><td>${prose(field.description)}</td></tr>`;
    const inner = item?.properties
      ? fieldRows(item, `${prefix}${name}${field.type === 'array' ? '[]' : ''}.`)
      : [];
    return [row, ...inner];
  });
}

function fieldsTable(given: JsonSchema | undefined): string {
  const schema = given?.type === 'array' ? (given.items as JsonSchema) : given;
  if (!schema?.properties) return '<p class="muted">No fields.</p>';
  return `<table><tr><th>field</th><th>type</th><th>required</th><th>notes</th></tr>${fieldRows(schema).join('')}</table>`;
}

/** A schema, or the component it refers to. */
function deref(schemas: Record<string, JsonSchema>, schema: JsonSchema): JsonSchema | undefined {
  return typeof schema.$ref === 'string' ? schemas[schema.$ref.split('/').pop()!] : schema;
}

const pre = (value: unknown) => `<pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;

/** One section per operation: its paths on every wire, its fields, its answer, an example of each. */
function operationSections(doc: OpenApiDocument): { nav: string[]; sections: string[] } {
  const byOperation = new Map<string, { paths: string[]; post: PostOperation }>();
  for (const [path, { post }] of Object.entries(doc.paths)) {
    const entry = byOperation.get(post['x-operation']) ?? { paths: [], post };
    entry.paths.push(path);
    byOperation.set(post['x-operation'], entry);
  }
  const { schemas } = doc.components;
  const nav: string[] = [];
  const sections: string[] = [];
  for (const [name, { paths, post }] of byOperation) {
    const id = `op-${name}`;
    nav.push(`<li><a href="#${id}">${escapeHtml(post.summary)}</a></li>`);
    // The first wire's answer: v1.2's, whose data also carries the timestamp.
    const names = componentNames(post['x-operation'], post['x-wire']);
    const envelope = schemas[names.answer]?.properties as Record<string, JsonSchema> | undefined;
    const data = envelope?.data && deref(schemas, envelope.data);
    const ok = post.responses['200'] as { content: PostOperation['requestBody']['content'] };
    sections.push(`<section id="${id}"><h2>${escapeHtml(post.summary)}</h2>
<p>${paths.map((p) => `<span class="post">POST</span> ${code(p)}`).join('<br>')}</p>
${[...new Set(paths.map((p) => doc.paths[p]!.post.description))].map((d) => `<p>${prose(d)}</p>`).join('')}
<h3>Request fields</h3>${fieldsTable(schemas[names.fields])}
<h3>Answer <code>data</code></h3>${data ? fieldsTable(data) : '<p class="muted">None.</p>'}
<h3>Example</h3>${pre(post.requestBody.content['application/json'].example)}${pre(ok.content['application/json'].example)}</section>`);
  }
  return { nav, sections };
}

function codesTables(doc: OpenApiDocument): string {
  const requestRows = doc['x-request-codes']
    .map((c) => `<tr><td>${code(c.code)}</td><td>${c.http}</td><td>${escapeHtml(c.message)}</td></tr>`)
    .join('');
  const businessRows = doc['x-business-codes']
    .map((c) => `<tr><td>${code(c.code)}</td><td>${escapeHtml(c.description)}</td></tr>`)
    .join('');
  return `<section id="codes"><h2>Request-level codes (<code>ret_code</code>)</h2>
<table><tr><th>code</th><th>HTTP</th><th>message</th></tr>${requestRows}</table>
<h2>Business codes (<code>data.error_code</code>)</h2>
<table><tr><th>code</th><th>meaning</th></tr>${businessRows}</table></section>`;
}

function signingSection(doc: OpenApiDocument): string {
  const schemes = Object.values(doc.components.securitySchemes)
    .map((s) => `<tr><td>${code(s.name)}</td><td>${prose(s.description)}</td></tr>`)
    .join('');
  return `<section id="signing"><h2>Signatures</h2><table><tr><th>header</th><th>what it holds</th></tr>${schemes}</table></section>`;
}

export function renderPage(doc: OpenApiDocument): string {
  const { nav, sections } = operationSections(doc);
  const intro = doc.info.description
    .split('\n\n')
    .map((p) => `<p>${prose(p)}</p>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info.title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body><main>
<h1>${escapeHtml(doc.info.title)}</h1>
${intro}
<p>The same description, machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${escapeHtml(doc.openapi)}).</p>
<nav><ul>${nav.join('')}<li><a href="#signing">Signatures</a></li><li><a href="#codes">Codes</a></li></ul></nav>
${signingSection(doc)}
${sections.join('\n')}
${codesTables(doc)}
</main></body>
</html>`;
}
