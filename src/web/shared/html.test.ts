import { describe, expect, it } from 'vitest';
import { HtmlParts, html, inParts, pageBytes, pageChunks, raw, slotted } from './html.ts';

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
  it('writes characters above U+00FF as numeric references, so a page stays one byte a character', () => {
    const text = 'Lucía “Z” Ng… Łukasz 🙂 ñ';
    const markup = html`<p title="${text}">${text}</p>`.value;
    expect(markup).toBe(
      '<p title="Lucía &#8220;Z&#8221; Ng&#8230; &#321;ukasz &#128578; ñ">Lucía &#8220;Z&#8221; Ng&#8230; &#321;ukasz &#128578; ñ</p>',
    );
    expect(/[\u0100-\uffff]/.test(markup)).toBe(false);
  });
  it('fills a slotted rendering: made once per locale, values escaped in their places', () => {
    let made = 0;
    const form = slotted<'id' | 'typed', 'en' | 'es'>((L, s) => {
      made++;
      return html`<form id="f-${s('id')}"><label for="n-${s('id')}">${L === 'es' ? 'Nota “breve”' : 'Note'}</label><input id="n-${s('id')}" value="${s('typed')}"></form>`;
    });
    expect(form('en', { id: 'a1', typed: '' }).value).toBe(
      '<form id="f-a1"><label for="n-a1">Note</label><input id="n-a1" value=""></form>',
    );
    expect(form('en', { id: 'a2', typed: '"><script>' }).value).toBe(
      '<form id="f-a2"><label for="n-a2">Note</label><input id="n-a2" value="&quot;&gt;&lt;script&gt;"></form>',
    );
    expect(form('es', { id: 'b', typed: raw(' x') }).value).toBe(
      '<form id="f-b"><label for="n-b">Nota &#8220;breve&#8221;</label><input id="n-b" value=" x"></form>',
    );
    expect(made).toBe(2);
  });
  it('keeps a list in parts through the templates around it, and sends the same bytes', () => {
    const items = Array.from(
      { length: 40 },
      (_, i) => html`<li>${`Zoë “${i}”`} ${'x'.repeat(90)}</li>`,
    );
    const list = inParts(items, 1000);
    expect(list).toBeInstanceOf(HtmlParts);
    const page = html`<main><h1>${'A & B'}</h1><ol>${list}</ol>${[list]}<p>${inParts(items.slice(0, 2), 1000)}</p></main>`;
    expect(page).toBeInstanceOf(HtmlParts);
    const whole = `<main><h1>A &amp; B</h1><ol>${items.map((i) => i.value).join('')}</ol>${items
      .map((i) => i.value)
      .join('')}<p>${items[0]?.value}${items[1]?.value}</p></main>`;
    expect(page.value).toBe(whole);
    expect((page as HtmlParts).parts.join('')).toBe(whole);
    expect((page as HtmlParts).parts.length).toBeGreaterThan(3);
    const chunks = pageChunks(page);
    expect(chunks.length).toBe((page as HtmlParts).parts.length);
    expect(Buffer.concat(chunks).equals(pageBytes(whole))).toBe(true);
    // A short list is one part, and a page without parts one buffer.
    expect(inParts(items.slice(0, 2), 1000)).not.toBeInstanceOf(HtmlParts);
    expect(inParts([])).not.toBeInstanceOf(HtmlParts);
    expect(pageChunks(html`<p>${'x'}</p>`)).toHaveLength(1);
  });
});
