// The engine, compiled to WebAssembly: every export takes strings and returns a JSON string
// (but `version`, plain text). This module parses those strings so the rest of the page deals in
// plain objects. The one exception an export can throw is the browser's own call stack
// overflowing; a trap leaves the module's stack pointer wrong, so the module is then
// instantiated afresh (a new import of the glue, by another URL, gets a new instance).
const GLUE = './pkg/trickle_playground.js';

let wasm = null;
let fresh = 0;
let onFailure = () => {};

async function instantiate(url) {
  const glue = await import(url);
  await glue.default();
  return glue;
}

/** Loads and instantiates the WebAssembly module; `failed(message)` hears about engine errors. */
export async function load(failed) {
  onFailure = failed;
  wasm = await instantiate(GLUE);
}

function call(name, fallback, ...args) {
  if (!wasm) return fallback;
  try {
    return JSON.parse(wasm[name](...args));
  } catch (e) {
    wasm = null;
    onFailure(`${name}: ${e && e.message ? e.message : e} (restarting the engine)`);
    instantiate(`${GLUE}?fresh=${++fresh}`).then(
      (glue) => {
        wasm = glue;
      },
      (err) => onFailure(`the engine did not restart: ${err.message || err}`),
    );
    return fallback;
  }
}

/** The engine's version. */
export function version() {
  return wasm ? wasm.version() : '?';
}

export const tokens = (text) => call('tokens', [], text);
export const check = (text) => call('check', { diagnostics: [], graph: null }, text);
export const run = (text, input, kind) =>
  call('run', { diagnostics: [], ports: {}, events_in: 0, elapsed_ms: 0 }, text, input, kind);
export const format = (text) => call('format', { diagnostics: [] }, text);
export const complete = (text, offset) => call('complete', [], text, offset);
export const hover = (text, offset) => call('hover', null, text, offset);
export const examples = () => call('examples', []);
