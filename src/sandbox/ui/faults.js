// The fault panel, served at /sandbox/ext.js and rendered into the sidebar: the simulated Caracal's catalog of
// faults (one or more per drill), each injected or cleared with one click through POST /sandbox/faults/<id>/….
const root = document.getElementById('sandbox-panels');
let busy = false;
// The per-start token the fault routes require (only a page on this origin can read it from the listing).
let token = '';

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function render(listing) {
  token = listing.token ?? token;
  const rows = listing.faults.map((f) => {
    const verb = f.active ? 'clear' : 'inject';
    const label = f.active ? 'Clear' : 'Inject';
    const note = f.available ? escape(f.active ? f.clears : f.injects) : 'Needs Redis, which is down.';
    return `<li class="sb-fault${f.active ? ' sb-fault-active' : ''}" data-testid="fault-${escape(f.id)}" data-active="${f.active}">
      <div class="sb-fault-title" title="${note}">${f.active ? '● ' : ''}${escape(f.title)}</div>
      <button type="button" class="sb-fault-button" data-fault="${escape(f.id)}" data-verb="${verb}"${f.available && !busy ? '' : ' disabled'}>${label}</button>
    </li>`;
  });
  root.innerHTML = `<h2 class="sb-sidebar-label">Simulated Caracal</h2>
    <div class="sb-fault-infra" data-testid="infra-state">Postgres: ${escape(listing.postgres)} · Redis: ${escape(listing.redis)}</div>
    <ul class="sb-fault-list" data-testid="fault-panel">${rows.join('')}</ul>`;
}

async function refresh() {
  const res = await fetch('/sandbox/faults', { cache: 'no-store' });
  if (res.ok) render(await res.json());
}

root.addEventListener('click', async (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-fault]') : null;
  if (!button || busy) return;
  busy = true;
  button.textContent = '…';
  try {
    const res = await fetch(`/sandbox/faults/${encodeURIComponent(button.dataset.fault)}/${button.dataset.verb}`, { method: 'POST', headers: { 'x-sandbox-token': token } });
    const body = await res.json();
    busy = false;
    if (body.ok) render(body);
    else await refresh();
  } finally {
    busy = false;
  }
});

await refresh();
// Faults can also be fixed from outside (a remediation, the tests' HTTP calls): keep the panel current.
setInterval(() => void refresh().catch(() => undefined), 3000);
