/** Named values the store keeps about itself (wrapped data keys, platform key, demo merchant). */
import type { Store } from './db.ts';

export async function getSetting(store: Store, name: string): Promise<string | undefined> {
  const row = await store.reader
    .selectFrom('settings')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirst();
  return row?.value;
}

/**
 * Stores `value` unless the name is already set, and returns what the store holds: when
 * several processes start on a fresh store at once, the first writer wins and all agree.
 */
export async function putSettingOnce(store: Store, name: string, value: string): Promise<string> {
  await store.writer
    .insertInto('settings')
    .values({ name, value })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return (await getSetting(store, name))!;
}
