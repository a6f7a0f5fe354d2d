// The answer schemas (operations/answers.ts) and the types the views are written against (the
// SDK's, less the envelope's timestamp) describe the same objects: checked by the compiler
// (`npm run typecheck`), and run here so a schema that cannot parse a view's value fails too.
import type { Token } from '@openkka/sdk';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { OrderView } from '../../../src/core/orders/view.ts';
import type { refundView } from '../../../src/modules/refunds/view.ts';
import type { SessionView } from '../../../src/modules/sessions/view.ts';
import {
  orderAnswer,
  refundAnswer,
  type sessionAnswer,
  type tokenAnswer,
  unpaidSessionAnswer,
} from '../../../src/operations/answers.ts';
import { EXAMPLES } from '../../../src/protocols/openapi/examples.ts';

describe('the answer schemas and the views', () => {
  it('name the fields the views send, each a type the view may send', () => {
    // The same keys, and the schema's values a narrowing of the view's (the SDK's types leave
    // optional a field such as expire_time that the gateway always sends).
    type Order = z.output<typeof orderAnswer>;
    expectTypeOf<keyof Order>().toEqualTypeOf<keyof OrderView>();
    expectTypeOf<Order>().toExtend<OrderView>();
    type Refund = z.output<typeof refundAnswer>;
    expectTypeOf<keyof Refund>().toEqualTypeOf<keyof ReturnType<typeof refundView>>();
    expectTypeOf<Refund>().toExtend<ReturnType<typeof refundView>>();
    type Session = z.output<typeof sessionAnswer>;
    expectTypeOf<keyof Session>().toEqualTypeOf<keyof SessionView>();
    expectTypeOf<Session>().toExtend<SessionView>();
    type StoredCard = z.output<typeof tokenAnswer>;
    expectTypeOf<keyof StoredCard>().toEqualTypeOf<keyof Token>();
    expectTypeOf<StoredCard>().toExtend<Token>();
  });

  it('read back the examples, and refuse what no view sends', () => {
    expect(orderAnswer.parse(EXAMPLES.pay.answer)).toEqual(EXAMPLES.pay.answer);
    expect(refundAnswer.safeParse({ ...(EXAMPLES.refund.answer as object), card_no: '4242' }).success).toBe(
      false,
    );
    expect(unpaidSessionAnswer.safeParse({ error_code: '0000' }).success).toBe(false);
  });
});
