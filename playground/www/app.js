// The page: loads the engine, then wires the editor, the input, Run, Format, the examples menu,
// the share link and the graph together. Everything runs in the browser.
import * as engine from './engine.js';
import { Editor } from './editor.js';
import { drawGraph } from './graph.js';
import { renderPorts } from './output.js';
import { toFragment, fromFragment } from './share.js';
import { escapeHtml, showTip, hideTip } from './tooltip.js';

const CHECK_DELAY_MS = 200;
const SHARE_DELAY_MS = 400;
const $ = (id) => document.getElementById(id);

const status = $('status');
const input = $('input');
const diagList = $('diagnostics');
const examplesMenu = $('examples');
const shareLink = $('share');
let editor;
let examples = [];
let checkTimer = 0;
let shareTimer = 0;
let runs = 0;
// The diagnostics of the last check, which the run's own list leaves out.
let checked = [];

function setStatus(text, failed = false) {
  status.textContent = text;
  status.classList.toggle('failed', failed);
}

const kind = () => document.querySelector('input[name=kind]:checked').value;

function setKind(k) {
  document.querySelector(`input[name=kind][value=${k === 'steps' ? 'steps' : 'lines'}]`).checked = true;
}

const state = () => ({ query: editor.value, input: input.value, kind: kind() });

/** Lists diagnostics; those of the query (`inQuery`) select their span in the editor on click. */
function renderDiagnostics(list, diagnostics, inQuery = true) {
  list.replaceChildren();
  diagnostics.forEach((d) => {
    const li = document.createElement('li');
    li.className = `diag ${d.severity}`;
    li.innerHTML =
      `<span class="where">${d.from.line}:${d.from.col}</span><span class="sev">${escapeHtml(d.severity)}</span>` +
      `<span class="message">${escapeHtml(d.message)}</span>` +
      (d.hint ? `<span class="hint">${escapeHtml(d.hint)}</span>` : '');
    if (inQuery) li.addEventListener('click', () => editor.select(d.from.offset, d.to.offset));
    li.addEventListener('mouseenter', (e) => showTip(`<pre>${escapeHtml(d.rendered)}</pre>`, e.clientX, e.clientY));
    li.addEventListener('mouseleave', hideTip);
    list.append(li);
  });
}

/** Compiles the query: underlines and lists its diagnostics, and draws its graph. */
function check() {
  clearTimeout(checkTimer);
  const result = engine.check(editor.value);
  checked = result.diagnostics;
  editor.setDiagnostics(result.diagnostics);
  renderDiagnostics(diagList, result.diagnostics);
  drawGraph($('graph'), result.graph);
}

function run() {
  check();
  const started = performance.now();
  const result = engine.run(editor.value, input.value, kind());
  const ports = $('ports');
  renderPorts(ports, result.ports || {});
  const known = new Set(checked.map((d) => d.rendered));
  const fresh = result.diagnostics.filter((d) => !known.has(d.rendered));
  if (fresh.length) {
    const list = document.createElement('ul');
    list.className = 'diagnostics run-diagnostics';
    renderDiagnostics(list, fresh, false);
    ports.prepend(list);
  } else if (result.diagnostics.some((d) => d.severity === 'error')) {
    ports.replaceChildren();
    ports.insertAdjacentHTML('beforeend', '<p class="empty">Not run: the query has errors (listed under it).</p>');
  }
  const total = performance.now() - started;
  const stats = $('run-stats');
  stats.textContent =
    `${result.events_in} events in · engine ${result.elapsed_ms.toFixed(1)} ms · with rendering ${total.toFixed(1)} ms`;
  stats.dataset.eventsIn = result.events_in;
  stats.dataset.engineMs = result.elapsed_ms.toFixed(2);
  stats.dataset.totalMs = total.toFixed(2);
  document.body.dataset.runs = ++runs;
}

function load({ query, input: events, kind: k }) {
  editor.value = query;
  input.value = events;
  setKind(k);
  updateShare();
  run();
}

function updateShare() {
  clearTimeout(shareTimer);
  shareLink.href = toFragment(state());
}

/** While typing, the link follows a little later: 10,000 events take a moment to encode. */
function updateShareSoon() {
  clearTimeout(shareTimer);
  shareTimer = setTimeout(updateShare, SHARE_DELAY_MS);
}

function onEdit() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(check, CHECK_DELAY_MS);
  updateShareSoon();
}

function format() {
  const result = engine.format(editor.value);
  if (typeof result.text === 'string') {
    if (result.text !== editor.value) editor.replaceAll(result.text);
    check();
  } else {
    editor.setDiagnostics(result.diagnostics);
    renderDiagnostics(diagList, result.diagnostics);
  }
}

async function share(e) {
  e.preventDefault();
  updateShare();
  history.replaceState(null, '', shareLink.getAttribute('href'));
  try {
    await navigator.clipboard.writeText(location.href);
    setStatus('Link copied: query and input are in the URL fragment.');
  } catch {
    setStatus('The link is in the address bar: query and input are in its fragment.');
  }
}

function fillExamples() {
  examples = engine.examples();
  examplesMenu.replaceChildren(new Option('choose…', ''));
  examples.forEach((ex, i) => examplesMenu.append(new Option(ex.name, String(i))));
  examplesMenu.addEventListener('change', () => {
    const ex = examples[Number(examplesMenu.value)];
    if (ex) load({ query: ex.query, input: ex.input, kind: ex.input_kind });
  });
}

async function main() {
  try {
    await engine.load((message) => setStatus(`engine error: ${message}`, true));
  } catch (e) {
    setStatus(`The engine did not load: ${e.message || e}`, true);
    return;
  }
  const ready = performance.now();
  status.dataset.loadMs = ready.toFixed(1);
  setStatus(`trickle ${engine.version()} · ready in ${Math.round(ready)} ms`);

  editor = new Editor($('query'), $('highlight'), $('completion'), onEdit);
  fillExamples();
  input.addEventListener('input', updateShareSoon);
  document.querySelectorAll('input[name=kind]').forEach((r) => r.addEventListener('change', updateShare));
  $('run').addEventListener('click', run);
  $('format').addEventListener('click', format);
  shareLink.addEventListener('click', share);
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      run();
    }
  });
  window.addEventListener('hashchange', () => {
    const shared = fromFragment(location.hash);
    if (shared) load(shared);
  });

  const shared = fromFragment(location.hash);
  if (shared) load(shared);
  else if (examples.length) {
    // Windows show most of what the page does: per-window results, their bounds and ids.
    const first = Math.max(0, examples.findIndex((ex) => ex.name.startsWith('windows')));
    examplesMenu.value = String(first);
    const ex = examples[first];
    load({ query: ex.query, input: ex.input, kind: ex.input_kind });
  } else {
    editor.value = '';
  }
}

main();
