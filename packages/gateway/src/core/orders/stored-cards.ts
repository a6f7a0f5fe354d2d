/**
 * Stored cards (tokens) and the recurring agreements made on them, as rows: the tokens module
 * keeps them, and a payment by token or agreement reads them (through StoredCardLookup).
 */
import type { AgreementsTable } from '../../store/schema.ts';

export interface TokenRow {
  token: string;
  merchant_id: string;
  shopper_reference: string;
  card_fingerprint: string;
  card_ciphertext: string | null;
  card_bin: string;
  card_last4: string;
  card_brand: string;
  exp_month: number;
  exp_year: number;
  token_usage: string;
  payment_method: string;
  status: 'ACTIVE' | 'INACTIVE';
  created_at: number;
  updated_at: number;
}

export type AgreementRow = Omit<AgreementsTable, 'created_at' | 'updated_at'> & {
  created_at: number;
  updated_at: number;
};
