/**
 * The gateway's own opening of encrypted card fields, for code outside this package that makes
 * such fields: the bench's tests check that its encrypted payments open to the card it meant.
 */
export type { ClientKeys } from './domain/client-key.ts';
export { CardDecryption, type DecryptingKeys } from './modules/client-encryption/card-decryption.ts';
export { decryptingKey, publicKeyOf } from './modules/client-encryption/gateway-keys.ts';
export { type GatewayKey, newGatewayKey } from './vault/card-encryption-keys.ts';
