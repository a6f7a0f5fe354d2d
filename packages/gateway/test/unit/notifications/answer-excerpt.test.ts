/** What an attempt keeps of a receiver's answer: its start, as one line of storable text. */
import { describe, expect, it } from 'vitest';
import { ANSWER_EXCERPT_LENGTH, excerptOf } from '../../../src/modules/notifications/dispatcher.ts';

describe('excerptOf', () => {
  it('keeps a short answer as it is', () => {
    expect(excerptOf(Buffer.from('{"ret_code":"999999","ret_msg":"down"}'))).toBe(
      '{"ret_code":"999999","ret_msg":"down"}',
    );
  });

  it('is null for an empty or blank answer', () => {
    expect(excerptOf(Buffer.alloc(0))).toBeNull();
    expect(excerptOf(Buffer.from(' \r\n\t'))).toBeNull();
  });

  it('keeps the first characters only, whole characters, however wide', () => {
    expect(excerptOf(Buffer.from('x'.repeat(5000)))).toBe('x'.repeat(ANSWER_EXCERPT_LENGTH));
    const chinese = excerptOf(Buffer.from('错'.repeat(500)))!;
    expect([...chinese]).toHaveLength(ANSWER_EXCERPT_LENGTH);
    expect(chinese).not.toContain('\ufffd');
  });

  it('turns control characters, NUL among them, into spaces', () => {
    expect(excerptOf(Buffer.from('a\u0000b\nc\u001bd\u007fe'))).toBe('a b c d e');
  });
});
