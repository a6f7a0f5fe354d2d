// The checkout's goods summary: descriptions as one line of text, who-for lines without fillers,
// and the picture hosts the page's policy allows.
import { describe, expect, it } from 'vitest';
import { partyLine, pictureSources, plainDescription } from '../../../src/pages/checkout/order-summary.ts';

describe('plainDescription', () => {
  it('drops tags and the contents of scripts and styles, and reads common entities', () => {
    expect(
      plainDescription(
        '<p>A plain <strong>cotton</strong>&nbsp;shirt</p><script>alert(1)</script><style>p{}</style>',
      ),
    ).toBe('A plain cotton shirt');
    expect(plainDescription('Tom &amp; Jerry &lt;3 &#8364;5 &#x4E2D;&quot;')).toBe('Tom & Jerry <3 €5 中"');
  });

  it('keeps a lone < and an unknown entity as written', () => {
    expect(plainDescription('a < b &copy;')).toBe('a < b &copy;');
  });

  it('cuts a long one to 120 characters, the last an ellipsis, without splitting a character', () => {
    const shown = plainDescription('🍵'.repeat(200));
    expect(Array.from(shown)).toHaveLength(120);
    expect(shown.endsWith('🍵…')).toBe(true);
  });
});

describe('partyLine', () => {
  it('names the person, the city and the country in the page’s language', () => {
    const ada = {
      first_name: 'Ada',
      middle_name: 'King',
      last_name: 'Lovelace',
      city: 'London',
      country: 'GB',
    };
    expect(partyLine(ada, 'en')).toBe('Ada King Lovelace, London, United Kingdom');
    expect(partyLine(ada, 'zh')).toBe('Ada King Lovelace，London，英国');
  });

  it('leaves out what is missing and the plugin’s fillers, and never shows how to reach them', () => {
    const line = partyLine(
      { last_name: 'Lin', city: 'N/A', email: 'mei@example.com', phone_number: '555', postal_code: '000000' },
      'en',
    );
    expect(line).toBe('Lin');
    expect(partyLine({ country: 'QQ' }, 'en')).toBe('QQ');
  });
});

describe('pictureSources', () => {
  it('lists each https origin once, never an http one; none without pictures', () => {
    const line = (picture_url?: string) => ({
      name: 'Tea',
      price: 1,
      quantity: 1,
      ...(picture_url ? { picture_url } : {}),
    });
    expect(pictureSources(null)).toEqual([]);
    expect(pictureSources({ goods: [line()] })).toEqual([]);
    expect(
      pictureSources({
        goods: [
          line('https://cdn.example/a.png'),
          line('https://cdn.example/b.png'),
          line('HTTPS://Other.example:8443/c.png'),
          line('http://plain.example/d.png'),
        ],
      }),
    ).toEqual(['https://cdn.example', 'https://other.example:8443']);
  });
});
