/**
 * Global setup of the `postgres` test project: finds the server the feature tests create their
 * databases on, in this order, and says which in one line:
 *   1. OPENKKA_TEST_PG_URL, when set (a failure to log in there is final);
 *   2. a server that takes `postgres` without a password on 127.0.0.1:5432;
 *   3. a throw-away server from the bundled PostgreSQL binaries, stopped when the run ends.
 * The tests read the choice from OPENKKA_TEST_PG_URL, which the workers inherit.
 */
import { PrerequisiteError, serverVersion, startEmbeddedPostgres } from './embedded-postgres.ts';

const LOCAL = 'postgres://postgres@127.0.0.1:5432/postgres';

const say = (line: string) => console.log(`[openkka tests] PostgreSQL: ${line}`);
const hidePassword = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.OPENKKA_TEST_PG_URL;
  if (given) {
    try {
      say(`${hidePassword(given)} (OPENKKA_TEST_PG_URL), server ${await serverVersion(given)}`);
    } catch (err) {
      throw new Error(
        `OPENKKA_TEST_PG_URL=${hidePassword(given)} does not take a login: ${(err as Error).message}. ` +
          'Point it at a PostgreSQL 13 or newer where the user may create databases, or unset it to let the suite find or start one.',
      );
    }
    return undefined;
  }
  try {
    say(`${LOCAL}, server ${await serverVersion(LOCAL)}`);
    process.env.OPENKKA_TEST_PG_URL = LOCAL;
    return undefined;
  } catch (err) {
    const why = (err as Error).message;
    try {
      const server = await startEmbeddedPostgres();
      say(
        `none usable at 127.0.0.1:5432 (${why}); started a throw-away server ${server.version} at ${server.url}`,
      );
      process.env.OPENKKA_TEST_PG_URL = server.url;
      return () => server.stop();
    } catch (startErr) {
      if (startErr instanceof PrerequisiteError)
        throw new Error(`The postgres tests need a PostgreSQL: ${startErr.message}`);
      throw startErr;
    }
  }
}
