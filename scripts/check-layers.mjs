#!/usr/bin/env node
/**
 * The layering check `npm test` runs: dependency-cruiser applies the rules in
 * .dependency-cruiser.cjs (which folder may import which, no file cycles), then this script
 * finds cycles between folders, which file-level rules cannot see: folder A importing B while
 * some other file of B imports A.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = ['packages/sdk/src', 'packages/gateway/src', 'packages/bench/src'];

let output;
let failed = false;
try {
  output = execFileSync(
    'npx',
    ['depcruise', '--config', '.dependency-cruiser.cjs', '--output-type', 'json', ...SOURCES],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
} catch (err) {
  // Exits non-zero when a rule is broken; the JSON still says which.
  output = err.stdout;
  failed = true;
  if (!output) throw err;
}
const result = JSON.parse(output);

for (const v of result.summary.violations) {
  const via = v.cycle ? ` (cycle: ${v.cycle.map((c) => c.name ?? c).join(' → ')})` : '';
  console.error(`${v.rule.name}: ${v.from} → ${v.to}${via}`);
  failed = true;
}

/** The folder a source file belongs to, at the granularity the layering speaks of. */
function folderOf(path) {
  const m = /^packages\/gateway\/src\/((?:modules|core|protocols|pages)\/[^/]+|[^/]+)(\/|$)/.exec(path);
  if (m) return `gateway/${m[1]}`;
  const pkg = /^packages\/([^/]+)\//.exec(path);
  return pkg ? pkg[1] : undefined;
}

const edges = new Map();
for (const mod of result.modules) {
  const from = folderOf(mod.source);
  if (!from) continue;
  for (const dep of mod.dependencies) {
    const to = folderOf(dep.resolved);
    if (!to || to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    edges.get(from).set(to, `${mod.source} → ${dep.resolved}`);
  }
}

// Tarjan's strongly connected components: any component of two or more folders is a cycle.
let index = 0;
const indices = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
function visit(v) {
  indices.set(v, index);
  low.set(v, index++);
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!indices.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), indices.get(w)));
  }
  if (low.get(v) !== indices.get(v)) return;
  const component = [];
  let w;
  do {
    w = stack.pop();
    onStack.delete(w);
    component.push(w);
  } while (w !== v);
  if (component.length > 1) cycles.push(component);
}
for (const v of edges.keys()) if (!indices.has(v)) visit(v);

for (const component of cycles) {
  console.error(`folder cycle: ${component.join(', ')}`);
  for (const a of component)
    for (const [b, example] of edges.get(a) ?? [])
      if (component.includes(b)) console.error(`  ${a} → ${b}, e.g. ${example}`);
  failed = true;
}

const count = result.summary.totalCruised;
if (failed) {
  console.error('layering check failed (see docs/architecture.md#layers-and-the-direction-of-dependencies)');
  process.exit(1);
}
console.log(`layering: ${count} files, ${edges.size} folders, no rule broken, no folder cycle`);
