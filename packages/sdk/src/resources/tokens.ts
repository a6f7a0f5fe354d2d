/**
 * Stored cards (tokens). A card is stored by a payment with `store_payment_method: true`; these
 * calls list a shopper's tokens and remove one. Tokens belong to a shopper: every call names
 * the `shopper_reference`, and another shopper's token behaves as one that does not exist.
 */
import type { RequestSender } from '../client.ts';
import type { Token, TokenQueryParams, TokenRemoveParams } from '../types.ts';

export class Tokens {
  constructor(private readonly sender: RequestSender) {}

  /** The shopper's active tokens, oldest first; an empty array when there are none. */
  async query(params: TokenQueryParams): Promise<Token[]> {
    return (await this.sender.post<Token[] | undefined>('/payments/token/query', params)) ?? [];
  }

  /**
   * Removes the token: its card data is deleted and it can no longer pay. A token that does
   * not exist for this shopper (or was removed already) throws OpenKKAApiError `300030`.
   *
   * Retried only after HTTP 429, like void: a repeat of a removal that did arrive would answer
   * `300030` and hide that the first attempt worked. After a connection error or a 5xx, query
   * the shopper's tokens to see whether it is gone.
   */
  async remove(params: TokenRemoveParams): Promise<void> {
    await this.sender.post<undefined>('/payments/token/remove', params, { idempotent: false });
  }
}
