import { describe, expect, it } from 'vitest';
import { html, pageBytes, raw } from './html.ts';

describe('html', () => {
  it('escapes interpolated text and keeps trusted markup', () => {
    const name = '<script>alert("x")</script>';
    expect(html`<p>${name}</p>${raw('<br>')}`.value).toBe(
      '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p><br>',
    );
  });
  it('joins arrays and drops empty values', () => {
    expect(
      html`<ul>${['a', 'b'].map((x) => html`<li>${x}</li>`)}${null}${false}${undefined}</ul>`.value,
    ).toBe('<ul><li>a</li><li>b</li></ul>');
  });
  it('escapes text inside arrays, numbers, true and every special character', () => {
    expect(html`${[['<a>', raw('<b>')], 'x&y']}|${0}|${true}|${'\'"&<>'}|${'plain'}`.value).toBe(
      '&lt;a&gt;<b>x&amp;y|0|true|&#39;&quot;&amp;&lt;&gt;|plain',
    );
  });
  it('sends a page as its UTF-8 bytes, built from many pieces', () => {
    const names = ['Lucía Muñoz', 'Zoë “Z” Ng…', 'Łukasz 🙂'];
    const page = html`<ul>${Array.from({ length: 300 }, (_, i) => html`<li>${names[i % 3]} ${i}</li>`)}</ul>`;
    const bytes = pageBytes(page);
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(bytes.toString('utf8')).toBe(page.value);
    expect(bytes.length).toBe(Buffer.byteLength(page.value));
    expect(pageBytes('é').equals(Buffer.from([0xc3, 0xa9]))).toBe(true);
  });
});
