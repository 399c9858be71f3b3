import type { DeadLetter } from '../../../services/dead-letters.ts';
import { html } from '../../shared/html.ts';
import { dt } from '../delivery-messages.ts';
import { csrfField, type PageContext, page } from '../layout.ts';
import { formatInstant } from '../time.ts';

export interface DeadLettersView {
  readonly total: number;
  readonly items: readonly DeadLetter[];
  /** Still being tried after a failure (decision 1226); `lastAttemptAt` is the next try. */
  readonly failing: { readonly total: number; readonly items: readonly DeadLetter[] };
  readonly timeZone: string;
  readonly requeued?: number | undefined;
}

export function deadLettersPage(ctx: PageContext, view: DeadLettersView): string {
  const L = ctx.locale;
  const rows = view.items.map(
    (d) => html`<tr>
<td><code>${d.kind}</code></td>
<td>${d.lastError ?? ''}</td>
<td>${d.attempts}</td>
<td>${formatInstant(d.lastAttemptAt, view.timeZone, L)}</td>
<td><form method="post" action="/app/dead-letters/${d.id}/requeue">${csrfField(ctx)}<button type="submit" class="btn secondary">${dt(L, 'requeue')}</button></form></td>
</tr>`,
  );
  const failing = view.failing;
  const failingPart =
    failing.total === 0
      ? html``
      : html`<h2 id="failing-title">${dt(L, 'failingTitle', { count: failing.total })}</h2>
<p>${dt(L, 'failingLead')}</p>
<div class="table-wrap" role="region" tabindex="0" aria-labelledby="failing-title"><table>
<thead><tr><th scope="col">${dt(L, 'what')}</th><th scope="col">${dt(L, 'why')}</th><th scope="col">${dt(L, 'attempts')}</th><th scope="col">${dt(L, 'nextTry')}</th></tr></thead>
<tbody>${failing.items.map(
          (d) =>
            html`<tr><td><code>${d.kind}</code></td><td>${d.lastError ?? ''}</td><td>${d.attempts}</td><td>${formatInstant(d.lastAttemptAt, view.timeZone, L)}</td></tr>`,
        )}</tbody>
</table></div>
${failing.total > failing.items.length ? html`<p>${dt(L, 'shown', { shown: failing.items.length, total: failing.total })}</p>` : ''}`;
  const body = html`<h1>${dt(L, 'title')}</h1>
${failingPart}
${failing.total === 0 ? '' : html`<h2>${dt(L, 'deadTitle', { count: view.total })}</h2>`}
<p>${dt(L, 'lead')}</p>
${
  view.items.length === 0
    ? html`<p>${dt(L, 'none')}</p>`
    : html`<form method="post" action="/app/dead-letters/requeue">${csrfField(ctx)}<button type="submit" class="btn">${dt(L, 'requeueAll')}</button></form>
<table>
<thead><tr><th scope="col">${dt(L, 'what')}</th><th scope="col">${dt(L, 'why')}</th><th scope="col">${dt(L, 'attempts')}</th><th scope="col">${dt(L, 'when')}</th><th scope="col"><span class="visually-hidden">${dt(L, 'requeue')}</span></th></tr></thead>
<tbody>${rows}</tbody>
</table>
${view.total > view.items.length ? html`<p>${dt(L, 'shown', { shown: view.items.length, total: view.total })}</p>` : ''}`
}`;
  return page(ctx, dt(L, 'title'), body, {
    nav: 'clinic',
    flash: view.requeued === undefined ? undefined : dt(L, 'requeued', { count: view.requeued }),
  });
}

/** The page every dashboard route answers while the database is away (503). */
export function databaseUnavailablePage(ctx: PageContext): string {
  const L = ctx.locale;
  return page(
    ctx,
    dt(L, 'unavailableTitle'),
    html`<h1>${dt(L, 'unavailableTitle')}</h1><p>${dt(L, 'unavailableText')}</p><p><a href="${ctx.path}">${dt(L, 'tryAgain')}</a></p>`,
  );
}
