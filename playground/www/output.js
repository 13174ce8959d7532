// The results of a run, one list per output port (`out`, then `err`, then the others by name).
// Each result shows its window's name; hovering it shows the window bounds and the ids of the
// events that made it. Long lists render their first part and a button for the rest, so a run
// over many events stays instant.
import { escapeHtml, showTip, hideTip } from './tooltip.js';

const SHOWN = 1000;
const IDS_SHOWN = 24;

function portOrder(a, b) {
  const rank = (p) => (p === 'out' ? 0 : p === 'err' ? 1 : 2);
  return rank(a) - rank(b) || a.localeCompare(b);
}

function resultHtml(r, i) {
  const win = r.window ? `<span class="win">[${escapeHtml(r.window.name)}]</span>` : '';
  return `<li class="result" data-i="${i}">${win}<span class="text">${escapeHtml(r.text)}</span></li>`;
}

function renderItems(ol, results, from, to) {
  ol.insertAdjacentHTML('beforeend', results.slice(from, to).map((r, k) => resultHtml(r, from + k)).join(''));
}

function tipHtml(r) {
  const rows = [];
  if (r.window) {
    rows.push(['window', r.window.name], ['start', r.window.start], ['end', r.window.end]);
  }
  const ids = r.ids || [];
  const shown = ids.slice(0, IDS_SHOWN).map((id) => `(${id.join(', ')})`).join(' ');
  const more = ids.length > IDS_SHOWN ? ` … ${ids.length - IDS_SHOWN} more` : '';
  rows.push([ids.length === 1 ? 'event id' : `event ids (${ids.length})`, ids.length ? shown + more : 'none']);
  const dl = rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v ?? '—')}</dd>`).join('');
  return `<dl>${dl}</dl><p>ids are (peer, stream, event)</p>`;
}

/** Renders `ports` ({name: [result]}) into `container`. */
export function renderPorts(container, ports) {
  container.replaceChildren();
  const names = Object.keys(ports).sort(portOrder);
  if (!names.some((p) => ports[p].length)) {
    container.insertAdjacentHTML('beforeend', '<p class="empty">No output.</p>');
  }
  for (const name of names) {
    const results = ports[name];
    if (!results.length && name !== 'out') continue;
    const section = document.createElement('section');
    section.className = `port ${name === 'out' || name === 'err' ? name : 'other'}`;
    section.dataset.port = name;
    const count = `${results.length} ${results.length === 1 ? 'event' : 'events'}`;
    section.innerHTML = `<h3>${escapeHtml(name)} <span class="count">${count}</span></h3><ol></ol>`;
    const ol = section.querySelector('ol');
    renderItems(ol, results, 0, SHOWN);
    if (results.length > SHOWN) {
      const more = document.createElement('button');
      more.className = 'more';
      more.textContent = `Show all ${results.length}`;
      more.onclick = () => {
        renderItems(ol, results, SHOWN, results.length);
        more.remove();
      };
      section.append(more);
    }
    ol.addEventListener('mouseover', (e) => {
      const li = e.target.closest('.result');
      if (li) showTip(tipHtml(results[Number(li.dataset.i)]), e.clientX, e.clientY);
    });
    ol.addEventListener('mouseleave', hideTip);
    container.append(section);
  }
}
