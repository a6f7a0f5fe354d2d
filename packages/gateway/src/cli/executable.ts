/**
 * The `openkka` executable (package.json `bin`), for whatever runs it as a child process: the
 * bench starts the gateway through it, the tests run the CLI through it. One name, so moving
 * or renaming it is one change. Exported as `openkka/executable` for the bench package.
 */
import { fileURLToPath } from 'node:url';

export const OPENKKA_BIN = fileURLToPath(new URL('../../bin/openkka.cjs', import.meta.url));
