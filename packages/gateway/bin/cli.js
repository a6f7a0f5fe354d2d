// The CLI on the TypeScript sources, run directly through tsx, so `npx openkka` works right
// after `npm ci`. Started by openkka.cjs, which sizes the thread pool first.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
