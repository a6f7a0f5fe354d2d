// The CLI, compiled to dist/ by `npm run build` (which `npm ci` runs in the repository and
// `npm pack` runs before packing). Started by openkka.cjs, which sizes the thread pool first.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(main)) {
  await import(main.href);
} else {
  process.stderr.write('openkka: not built yet: run `npm run build` in the repository first\n');
  process.exitCode = 1;
}
