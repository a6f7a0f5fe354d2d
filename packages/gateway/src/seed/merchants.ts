/**
 * The merchants a seed spreads its orders over: the ones named (which must exist, like the
 * bench's merchant), then new ones up to the count asked for. New merchants share one public
 * key whose private half is thrown away, so nobody can sign as them.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { MerchantService } from '../core/merchants/service.ts';

export async function seedMerchants(
  service: MerchantService,
  named: readonly string[],
  total: number,
): Promise<string[]> {
  for (const merchantId of named) await service.find(merchantId);
  const ids = [...named];
  if (ids.length >= total) return ids;
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  while (ids.length < total) {
    const { merchant } = await service.create({ name: `seed merchant ${ids.length + 1}`, publicKeyPem });
    ids.push(merchant.merchant_id);
  }
  return ids;
}
