// The engine, compiled to WebAssembly: every export takes strings and returns a JSON string
// (but `version`, plain text).
// This module parses those strings so the rest of the page deals in plain objects, and keeps a
// panic inside the engine from taking the page down with it.
import init, * as wasm from './pkg/trickle_playground.js';

let onFailure = () => {};

/** Loads and instantiates the WebAssembly module; `failed(message)` hears about engine errors. */
export async function load(failed) {
  onFailure = failed;
  await init();
}

function call(name, fallback, ...args) {
  try {
    return JSON.parse(wasm[name](...args));
  } catch (e) {
    onFailure(`${name}: ${e && e.message ? e.message : e}`);
    return fallback;
  }
}

/** The engine's version (the one export that returns plain text). */
export function version() {
  try {
    return wasm.version();
  } catch {
    return '?';
  }
}
export const tokens = (text) => call('tokens', [], text);
export const check = (text) => call('check', { diagnostics: [], graph: null }, text);
export const run = (text, input, kind) =>
  call('run', { diagnostics: [], ports: {}, events_in: 0, elapsed_ms: 0 }, text, input, kind);
export const format = (text) => call('format', { diagnostics: [] }, text);
export const complete = (text, offset) => call('complete', [], text, offset);
export const hover = (text, offset) => call('hover', null, text, offset);
export const examples = () => call('examples', []);
