// Needlecare dashboard: progressive enhancement only. Every page works without this file.
// Loaded as a module from 'self' (CSP script-src 'self'); no inline script anywhere.

const fold = (s) =>
  s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();

// --- Alert queue: live updates over server-sent events ---------------------------------
function liveQueue() {
  const queue = document.getElementById('queue');
  const announce = document.getElementById('live-announce');
  if (!queue || !announce || !('EventSource' in window)) return;
  // The page, as served, asks for a reload; from here on the list does update by itself.
  const status = document.getElementById('live-status');
  if (status?.dataset.live) status.textContent = status.dataset.live;
  const titleEl = document.querySelector('title');
  const baseTitle = titleEl?.dataset.baseTitle ?? document.title;
  const content = () => document.getElementById('queue-content');
  const ids = () => new Set((content()?.dataset.emergencyIds ?? '').split(' ').filter(Boolean));
  let fetching = false;
  let pending = false;

  const setTitle = (count) => {
    document.title = count > 0 ? `(${count}) ${baseTitle}` : baseTitle;
  };

  async function refresh() {
    if (fetching) {
      pending = true;
      return;
    }
    fetching = true;
    try {
      const before = ids();
      const res = await fetch(queue.dataset.fragment, {
        credentials: 'same-origin',
        headers: { accept: 'text/html' },
      });
      if (res.redirected || res.status === 401) {
        if (!closed) window.location.assign('/app/sign-in');
        return;
      }
      if (!res.ok) return;
      const markup = await res.text();
      // Keep what the person has put in and where the focus is across the swap.
      const kept = keepFormState(queue);
      queue.innerHTML = markup;
      kept.restore();
      const now = content();
      // The title counts every open urgent and emergency alert.
      const count = Number(now?.dataset.titleCount ?? now?.dataset.emergencies ?? '0');
      setTitle(count);
      const fresh = [...ids()].filter((id) => !before.has(id));
      if (fresh.length > 0) {
        const names = fresh
          .map((id) => document.getElementById(`alert-${id}`)?.dataset.patient ?? '')
          .filter(Boolean);
        const text = (announce.dataset.msgEmergency ?? '{patient}').replace(
          '{patient}',
          names.join(', '),
        );
        announce.textContent = text;
        signalEmergency(text);
      } else {
        announce.textContent = '';
      }
    } catch {
      // Network hiccup: the next event triggers another try.
    } finally {
      fetching = false;
      if (pending) {
        pending = false;
        void refresh();
      }
    }
  }

  // The stream reconnects by itself after a dropped connection; after an error answer (the
  // server could not reach its database) the browser gives up, so we open a new one, backing
  // off up to 30 s. A banner says live updates are paused until the stream answers again.
  const banner = document.getElementById('db-banner');
  const setDown = (down) => {
    if (banner) banner.hidden = !down;
  };
  let source;
  let retryMs = 2000;
  let closed = false;
  const connect = () => {
    if (closed) return;
    source = new EventSource(queue.dataset.events, { withCredentials: true });
    source.addEventListener('open', () => {
      retryMs = 2000;
    });
    source.addEventListener('alerts', (event) => {
      setDown(false);
      let data = {};
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      if (data.signature !== content()?.dataset.signature) void refresh();
    });
    source.addEventListener('unavailable', () => setDown(true));
    source.addEventListener('available', () => {
      setDown(false);
      void refresh();
    });
    source.addEventListener('signed-out', () => {
      closed = true;
      source.close();
      window.location.assign('/app/sign-in');
    });
    source.addEventListener('error', () => {
      if (source.readyState !== EventSource.CLOSED) return;
      setDown(true);
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 30_000);
    });
  };
  connect();
  window.addEventListener('pagehide', () => {
    closed = true;
    source?.close();
  });
  // Signing out from this page: its own answer brings the sign-in page that says so. Left open,
  // the stream could notice the ended session first and send the page to the sign-in page
  // without that message, cutting the answer's navigation short.
  document.querySelector('form.sign-out')?.addEventListener('submit', () => {
    closed = true;
    source?.close();
  });
}

// What a person has put into the queue's forms and not yet sent — typed notes, a chosen
// outcome, a refused form's message (decision 0403) — and where the focus was. A live redraw
// replaces the list; this puts all of it back into the same card's same form, if that form is
// still there (a card another person acknowledged meanwhile has a different form).
function keepFormState(root) {
  const keyOf = (el) => {
    const card = el.closest('.alert-card')?.id ?? '';
    const form = el.closest('form')?.className ?? '';
    const choice = el.type === 'radio' || el.type === 'checkbox' ? el.value : '';
    return [card, form, el.tagName, el.name ?? '', choice, el.getAttribute('href') ?? ''].join('|');
  };
  const fields = 'input:not([type="hidden"]), textarea, select';
  const values = new Map();
  for (const el of root.querySelectorAll(fields)) {
    if (el.type === 'radio' || el.type === 'checkbox') {
      if (el.checked) values.set(keyOf(el), true);
    } else if (el.value) values.set(keyOf(el), el.value);
  }
  const errors = [...root.querySelectorAll('.alert-card .errors')].map((box) => ({
    card: box.closest('.alert-card')?.id,
    form: box.nextElementSibling?.tagName === 'FORM' ? box.nextElementSibling.className : '',
    box,
  }));
  const active = document.activeElement;
  const focusedKey = active && root.contains(active) ? keyOf(active) : null;
  const focusedId = active?.id;
  const caret =
    typeof active?.selectionStart === 'number'
      ? [active.selectionStart, active.selectionEnd]
      : null;

  return {
    restore() {
      for (const el of root.querySelectorAll(fields)) {
        const value = values.get(keyOf(el));
        if (value === undefined) continue;
        if (el.type === 'radio' || el.type === 'checkbox') el.checked = true;
        else el.value = value;
      }
      for (const { card, form, box } of errors) {
        const target = card && form ? document.getElementById(card) : null;
        const before = target?.querySelector(`form.${CSS.escape(form)}`);
        if (!before) continue;
        // Already read out when the page came; put back quietly, not announced again.
        box.removeAttribute('role');
        before.before(box);
      }
      // A kept "confirmed" keeps its severity required (outcomeSeverity listens for this).
      for (const r of root.querySelectorAll('input[name="outcome"]:checked'))
        r.dispatchEvent(new Event('change', { bubbles: true }));
      const again =
        focusedKey === null
          ? null
          : [...root.querySelectorAll(`${fields}, button, a[href]`)].find(
              (el) => keyOf(el) === focusedKey,
            );
      if (again) {
        again.focus();
        if (caret && typeof again.setSelectionRange === 'function')
          again.setSelectionRange(...caret);
      } else if (focusedId) document.getElementById(focusedId)?.focus();
    },
  };
}

// --- Emergency signal: a short tone and a desktop notification where allowed -----------
let audio = null;
function beep() {
  try {
    const Ctx = window.AudioContext ?? window.webkitAudioContext;
    if (!Ctx) return;
    audio = audio ?? new Ctx();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'square';
    osc.frequency.value = 880;
    gain.gain.value = 0.08;
    osc.connect(gain).connect(audio.destination);
    const t = audio.currentTime;
    // Two short pips: noticeable, not alarming in a treatment room.
    gain.gain.setValueAtTime(0.08, t);
    gain.gain.setValueAtTime(0, t + 0.18);
    gain.gain.setValueAtTime(0.08, t + 0.3);
    gain.gain.setValueAtTime(0, t + 0.48);
    osc.start(t);
    osc.stop(t + 0.5);
    window.__needlecareSignals = (window.__needlecareSignals ?? 0) + 1;
  } catch {
    // No audio: the title, banner and live region still say it.
  }
}

function signalEmergency(text) {
  beep();
  if ('Notification' in window && Notification.permission === 'granted') {
    try {
      const n = new Notification(text, { tag: 'needlecare-emergency', requireInteraction: true });
      n.addEventListener('click', () => {
        window.focus();
        n.close();
      });
      window.__needlecareNotified = (window.__needlecareNotified ?? 0) + 1;
    } catch {
      // Some browsers only allow notifications from a service worker: the page still says it.
    }
  }
}

/** A button that asks for desktop notifications (only a click may ask). */
function notificationButton() {
  const button = document.getElementById('enable-notifications');
  if (!button || !('Notification' in window)) return;
  if (Notification.permission === 'default') button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      await Notification.requestPermission();
    } catch {
      // Ignored: nothing changes without permission.
    }
    button.hidden = Notification.permission !== 'default';
    // The click also lets audio play later (browsers need a gesture first).
    const Ctx = window.AudioContext ?? window.webkitAudioContext;
    if (Ctx && !audio) audio = new Ctx();
  });
}

// --- Muscle picker: filter by typing or by the body map, live bilateral-thoracic warning --
function musclePicker() {
  const picker = document.querySelector('.picker');
  if (!picker) return;
  const muscles = [...picker.querySelectorAll('.muscle')];
  const regions = [...picker.querySelectorAll('.region')];
  const filterBox = picker.querySelector('[data-enhance="filter"]');
  const input = document.getElementById('muscle-filter');
  const empty = document.getElementById('filter-empty');
  const links = [...picker.querySelectorAll('.map-region')];
  const mapBox = picker.querySelector('[data-enhance="map"]');
  const status = document.getElementById('map-status');
  const showAll = document.getElementById('map-show-all');
  let activeRegion = null;

  // A muscle shows when it is in the chosen region (if any) and matches the typed text (a
  // ticked one always matches the text, so a filter never hides what was chosen).
  const apply = () => {
    const q = input ? fold(input.value.trim()) : '';
    let shown = 0;
    for (const m of muscles) {
      const region = m.closest('.region')?.dataset.region;
      const ticked = m.querySelector('input[type="checkbox"]:checked') !== null;
      const inRegion = activeRegion === null || region === activeRegion;
      const match = inRegion && (q === '' || (m.dataset.search ?? '').includes(q) || ticked);
      m.hidden = !match;
      if (match) shown += 1;
    }
    for (const r of regions) r.hidden = r.querySelector('.muscle:not([hidden])') === null;
    if (empty) empty.hidden = shown > 0;
  };

  if (filterBox && input) {
    filterBox.hidden = false;
    input.addEventListener('input', apply);
  }

  // Body map: without the script each region is a link to its part of the list; with it, the
  // list narrows to that region and focus moves there (Enter or Space on a region).
  const choose = (region) => {
    const before = links.find((l) => l.dataset.region === activeRegion);
    activeRegion = region;
    for (const l of links) {
      if (l.dataset.region === region) l.setAttribute('aria-current', 'true');
      else l.removeAttribute('aria-current');
    }
    apply();
    const target = region === null ? null : document.getElementById(`region-${region}`);
    if (mapBox) mapBox.hidden = region === null;
    if (status) {
      const name = target?.querySelector('legend')?.textContent ?? '';
      status.textContent =
        region === null ? '' : (status.dataset.template ?? '').replace('{region}', name);
    }
    if (target) {
      target.scrollIntoView({ block: 'start' });
      target.focus({ preventScroll: true });
    } else if (before) {
      // "Show all" hides itself: focus returns to the region the list was narrowed to.
      before.focus();
    }
  };
  for (const link of links) {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      choose(link.dataset.region ?? null);
    });
    link.addEventListener('keydown', (event) => {
      if (event.key === ' ' || event.key === 'Spacebar') {
        event.preventDefault();
        choose(link.dataset.region ?? null);
      }
    });
  }
  if (showAll) showAll.addEventListener('click', () => choose(null));

  const warning = document.getElementById('bilateral-warning');
  const update = () => {
    if (!warning) return;
    const sides = new Set(
      [
        ...picker.querySelectorAll('.muscle[data-thoracic="true"] input[type="checkbox"]:checked'),
      ].map((c) => c.dataset.side),
    );
    warning.hidden = !(sides.has('left') && sides.has('right'));
  };
  picker.addEventListener('change', update);
  update();
}

// --- Resolve form: a confirmed adverse event needs its severity -------------------------
// The browser then asks for it before sending; without this script the server does (decision
// 0403). Listening on the document covers the cards the live queue puts in later.
function outcomeSeverity() {
  document.addEventListener('change', (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.name !== 'outcome' || !input.form) return;
    const confirmed = input.form.querySelector('input[name="outcome"][value="confirmed"]');
    for (const choice of input.form.querySelectorAll('input[name="outcomeClass"]'))
      choice.required = confirmed?.checked === true;
  });
}

// --- Result page: copy the patient link -------------------------------------------------
function copyButtons() {
  if (!navigator.clipboard) return;
  for (const button of document.querySelectorAll('[data-copy]')) {
    const target = document.querySelector(button.dataset.copy);
    const status = document.getElementById('copy-status');
    if (!target) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(target.value);
        if (status) status.textContent = button.dataset.copied ?? '';
      } catch {
        target.select();
      }
    });
  }
}

liveQueue();
notificationButton();
musclePicker();
outcomeSeverity();
copyButtons();
