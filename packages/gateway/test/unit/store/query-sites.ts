/**
 * Every query in the gateway's source, found by reading the source (its TypeScript syntax
 * tree) rather than by running it, so a query no test reaches is seen too. A site is a Kysely
 * query (selectFrom, updateTable, deleteFrom, and each table they join) or an SQL text (a
 * `sql` template, or a string such as the ones handed to `prepare`), with the table it reads
 * and whether it always names that table's routing column with `=`. Inserts are left out: an
 * inserted row carries its own merchant_id, which is all Citus needs to route it.
 *
 * It reads the shapes this code base writes, not every shape TypeScript allows: a condition
 * built in a callback (`where((eb) => …)`) or added under an `if` does not count as naming
 * the column, so anything unusual shows up as unscoped and has to be looked at.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

export interface QuerySite {
  /** `file#function table`, the file relative to the source folder. */
  key: string;
  /** `*` when the table is chosen at run time. */
  table: string;
  /** The query names the table's routing column with `=` on every path. */
  scoped: boolean;
  line: number;
}

/** The column that routes a table's rows (merchant_id, or an own key); null when none is needed. */
export type RoutingColumn = (table: string) => string | null | undefined;

const QUERY_ROOTS = new Set(['selectFrom', 'updateTable', 'deleteFrom']);
const JOINS = new Set(['innerJoin', 'leftJoin', 'rightJoin', 'fullJoin', 'join']);
const DYNAMIC = '*';

export function scanQueries(
  sourceDir: string,
  routing: RoutingColumn,
  knownTables: Set<string>,
): QuerySite[] {
  const sites: QuerySite[] = [];
  for (const path of sourceFiles(sourceDir)) {
    const file = relative(sourceDir, path).split(sep).join('/');
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const add = (node: ts.Node, table: string, scoped: boolean) =>
      sites.push({
        key: `${file}#${enclosingName(node)} ${table}`,
        table,
        scoped,
        line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
      });
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node)) kyselySites(node, routing, add);
      if (
        ts.isStringLiteral(node) ||
        ts.isNoSubstitutionTemplateLiteral(node) ||
        ts.isTemplateExpression(node)
      ) {
        sqlTextSites(node, routing, knownTables, add);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return sites;
}

/** The .ts files under `dir`, migrations left out: they run once, before any merchant exists on Citus. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
    .filter((path) => !path.includes(`${sep}store${sep}migrations${sep}`))
    .sort();
}

type Add = (node: ts.Node, table: string, scoped: boolean) => void;

function kyselySites(call: ts.CallExpression, routing: RoutingColumn, add: Add) {
  const name = calleeName(call);
  if (!name || !QUERY_ROOTS.has(name)) return;
  const table = tableArgument(call.arguments[0]);
  const { calls, top } = chainAbove(call);
  const column = table === DYNAMIC ? null : routing(table);
  const scoped =
    column !== null &&
    column !== undefined &&
    (calls.some((c) => equalsOn(c, column)) || reassignedOn(top, column));
  add(call, table, table !== DYNAMIC && (column === null || scoped));
  for (const join of calls.filter((c) => JOINS.has(calleeName(c) ?? ''))) {
    const joined = tableArgument(join.arguments[0]);
    const joinColumn = joined === DYNAMIC ? null : routing(joined);
    add(join, joined, joined !== DYNAMIC && (joinColumn === null || joinsOn(join, joinColumn ?? '')));
  }
}

function calleeName(call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

/** `'orders as o'` → `orders`; anything but a literal → DYNAMIC. */
function tableArgument(arg: ts.Expression | undefined): string {
  return arg && ts.isStringLiteralLike(arg) ? arg.text.split(/\s+as\s+/)[0]!.trim() : DYNAMIC;
}

/** The calls chained onto `node` (`node.a(…).b(…)`), innermost first, and the whole chain. */
function chainAbove(node: ts.Expression): { calls: ts.CallExpression[]; top: ts.Expression } {
  const calls: ts.CallExpression[] = [];
  let top = node;
  for (;;) {
    const access = top.parent;
    if (!access || !ts.isPropertyAccessExpression(access) || access.expression !== top) break;
    const next = access.parent;
    if (!next || !ts.isCallExpression(next) || next.expression !== access) break;
    calls.push(next);
    top = next;
  }
  return { calls, top };
}

const literal = (arg: ts.Expression | undefined) =>
  arg && ts.isStringLiteralLike(arg) ? arg.text : undefined;
const isColumn = (text: string | undefined, column: string) =>
  text !== undefined && (text === column || text.endsWith(`.${column}`));

/** `.where('…column', '=', x)`, or `.whereRef('a.column', '=', 'b.column')` (a correlation on the column). */
function equalsOn(call: ts.CallExpression, column: string): boolean {
  const [left, op, right] = call.arguments;
  if (literal(op) !== '=') return false;
  const name = calleeName(call);
  if (name === 'where') return isColumn(literal(left), column);
  if (name === 'whereRef') return isColumn(literal(left), column) && isColumn(literal(right), column);
  return false;
}

/** `.leftJoin('t as x', 'x.column', 'y.column')`, or a join callback with `onRef` on the column. */
function joinsOn(join: ts.CallExpression, column: string): boolean {
  const [, left, right] = join.arguments;
  if (isColumn(literal(left), column) && isColumn(literal(right), column)) return true;
  let found = false;
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && calleeName(node) === 'onRef') {
      const [a, op, b] = node.arguments;
      found ||= literal(op) === '=' && isColumn(literal(a), column) && isColumn(literal(b), column);
    }
    ts.forEachChild(node, visit);
  };
  if (left && !ts.isStringLiteralLike(left)) visit(left);
  return found;
}

/**
 * `let query = …; query = query.where('merchant_id', '=', …)`: the reassignment counts when it
 * runs on every path through the function, not under an `if`.
 */
function reassignedOn(top: ts.Expression, column: string): boolean {
  const declaration = top.parent;
  if (!declaration || !ts.isVariableDeclaration(declaration) || !ts.isIdentifier(declaration.name))
    return false;
  const name = declaration.name.text;
  const body = enclosingFunction(declaration);
  if (!body) return false;
  let found = false;
  const visit = (node: ts.Node) => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isIdentifier(node.left) &&
      node.left.text === name
    ) {
      const start = chainStart(node.right);
      if (start && ts.isIdentifier(start) && start.text === name && !isConditional(node, body)) {
        found ||= chainAbove(start).calls.some((c) => equalsOn(c, column));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

/** The expression a call chain starts from: `a` in `a.b(…).c(…)`. */
function chainStart(expr: ts.Expression): ts.Expression | undefined {
  let node = expr;
  while (ts.isCallExpression(node) || ts.isPropertyAccessExpression(node)) node = node.expression;
  return node;
}

function enclosingFunction(node: ts.Node): ts.Node | undefined {
  for (let n = node.parent; n; n = n.parent) if (ts.isFunctionLike(n)) return n;
  return undefined;
}

function isConditional(node: ts.Node, body: ts.Node): boolean {
  for (let n = node.parent; n && n !== body; n = n.parent) {
    if (
      ts.isIfStatement(n) ||
      ts.isConditionalExpression(n) ||
      ts.isSwitchStatement(n) ||
      ts.isIterationStatement(n, false) ||
      ts.isCatchClause(n) ||
      (ts.isBinaryExpression(n) &&
        [
          ts.SyntaxKind.AmpersandAmpersandToken,
          ts.SyntaxKind.BarBarToken,
          ts.SyntaxKind.QuestionQuestionToken,
        ].includes(n.operatorToken.kind))
    ) {
      return true;
    }
  }
  return false;
}

/** A statement that reads or changes rows; an INSERT routes by its own rows and is left out. */
const STATEMENT = /^\s*\(?\s*(select|update|delete|with)\b/i;
const TABLE_REFERENCE = /\b(?:from|join|update)\s+(⟨table⟩|[a-z_][a-z0-9_]*)/gi;

function sqlTextSites(
  node: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateExpression,
  routing: RoutingColumn,
  knownTables: Set<string>,
  add: Add,
) {
  const text = sqlText(node);
  if (!STATEMENT.test(text)) return;
  const tables = new Set<string>();
  for (const [, name] of text.matchAll(TABLE_REFERENCE)) {
    if (name === '⟨table⟩') tables.add(DYNAMIC);
    else if (knownTables.has(name!.toLowerCase())) tables.add(name!.toLowerCase());
  }
  for (const table of tables) {
    const column = table === DYNAMIC ? undefined : routing(table);
    const scoped =
      column === null || (column !== undefined && new RegExp(`\\b${column}\\s*=\\s*\\?`).test(text));
    add(node, table, scoped);
  }
}

/**
 * The text as the database sees it: an interpolated value becomes `?`; `${sql.table(…)}`, a
 * table chosen at run time, becomes ⟨table⟩; any other `sql.` fragment becomes ⟨sql⟩.
 */
function sqlText(node: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateExpression): string {
  if (!ts.isTemplateExpression(node)) return node.text;
  let text = node.head.text;
  for (const span of node.templateSpans) {
    const expr = span.expression.getText();
    text += expr.startsWith('sql.table(') ? '⟨table⟩' : expr.startsWith('sql.') ? '⟨sql⟩' : '?';
    text += span.literal.text;
  }
  return text;
}

/** `Class.method`, a function's name, or the top-level constant the query is built in. */
function enclosingName(node: ts.Node): string {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isMethodDeclaration(n) || ts.isPropertyDeclaration(n) || ts.isGetAccessorDeclaration(n)) {
      return `${className(n.parent)}.${n.name.getText()}`;
    }
    if (ts.isConstructorDeclaration(n)) return `${className(n.parent)}.constructor`;
    if (ts.isFunctionDeclaration(n) && n.name) return n.name.text;
    if (ts.isVariableStatement(n) && ts.isSourceFile(n.parent)) {
      return n.declarationList.declarations.map((d) => d.name.getText()).join(',');
    }
  }
  return '<module>';
}

const className = (node: ts.Node) => (ts.isClassLike(node) && node.name ? node.name.text : '<class>');
