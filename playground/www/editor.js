// The query editor: a transparent <textarea> (which keeps native editing, selection and undo) over a
// <pre> that shows the same text with syntax colours and diagnostic underlines. Both use the same
// monospace metrics, so a character's position is (line, column) × (line height, character width);
// the hover and the completion popup use that to map between the mouse, the caret and offsets.
import * as engine from './engine.js';
import { escapeHtml, showTip, hideTip, markdown } from './tooltip.js';
import { Completion } from './completion.js';

const TAB = 4;
const HOVER_DELAY_MS = 300;

export class Editor {
  /** `onInput()` is called after every edit. */
  constructor(textarea, pre, popup, onInput) {
    this.ta = textarea;
    this.pre = pre;
    this.tokens = [];
    this.diagnostics = [];
    this.completion = new Completion(this, popup);
    this.hoverTimer = 0;

    textarea.addEventListener('input', (e) => {
      this.render();
      this.completion.onInput(e);
      onInput();
    });
    textarea.addEventListener('scroll', () => this.syncScroll());
    textarea.addEventListener('keydown', (e) => this.onKeyDown(e));
    textarea.addEventListener('mousemove', (e) => this.onMouseMove(e));
    textarea.addEventListener('mouseleave', () => this.cancelHover());
    textarea.addEventListener('blur', () => this.completion.close());
    window.addEventListener('resize', () => this.measure());
    this.measure();
  }

  get value() {
    return this.ta.value;
  }

  /** Replaces the whole text (as one undoable edit when the editor has focus). */
  set value(text) {
    this.ta.value = text;
    this.render();
  }

  replaceAll(text) {
    this.replaceRange(0, this.ta.value.length, text);
  }

  /** Replaces [from, to) with `text` through the browser's editing, so Ctrl-Z undoes it. */
  replaceRange(from, to, text) {
    this.ta.focus();
    this.ta.setSelectionRange(from, to);
    if (!document.execCommand('insertText', false, text)) this.ta.setRangeText(text, from, to, 'end');
    this.render();
  }

  setDiagnostics(diagnostics) {
    this.diagnostics = diagnostics;
    this.render();
  }

  /** Selects [from, to) and scrolls it into view. */
  select(from, to) {
    this.ta.focus();
    this.ta.setSelectionRange(from, to);
    const { line } = this.lineCol(from);
    const top = this.padTop + line * this.lineHeight;
    if (top < this.ta.scrollTop || top > this.ta.scrollTop + this.ta.clientHeight - this.lineHeight) {
      this.ta.scrollTop = Math.max(0, top - this.ta.clientHeight / 3);
    }
  }

  measure() {
    const probe = document.createElement('span');
    probe.textContent = 'x'.repeat(100);
    this.pre.appendChild(probe);
    this.charWidth = probe.getBoundingClientRect().width / 100 || 8;
    probe.remove();
    const style = getComputedStyle(this.ta);
    this.lineHeight = parseFloat(style.lineHeight) || 19;
    this.padTop = parseFloat(style.paddingTop) || 0;
    this.padLeft = parseFloat(style.paddingLeft) || 0;
  }

  /** Keeps the highlighted copy scrolled with the textarea; a real scroll closes the popups. */
  syncScroll() {
    const moved = this.pre.scrollTop !== this.ta.scrollTop || this.pre.scrollLeft !== this.ta.scrollLeft;
    this.pre.scrollTop = this.ta.scrollTop;
    this.pre.scrollLeft = this.ta.scrollLeft;
    if (moved) {
      this.completion.close();
      this.cancelHover();
    }
  }

  /** Redraws the highlighted copy of the text: token colours plus diagnostic underlines. */
  render() {
    const text = this.ta.value;
    this.tokens = engine.tokens(text);
    const marks = this.diagnostics.map((d) => {
      const from = Math.min(d.from.offset, text.length);
      // An empty span (e.g. "unexpected end of input") underlines one character.
      return { from, to: Math.max(d.to.offset, from + 1), cls: `d-${d.severity}` };
    });
    const cuts = new Set([0, text.length]);
    for (const t of this.tokens) cuts.add(t.from).add(t.to);
    for (const m of marks) cuts.add(m.from).add(m.to);
    const points = [...cuts].filter((p) => p >= 0).sort((a, b) => a - b);
    const html = [];
    let ti = 0;
    for (let k = 0; k + 1 < points.length; k++) {
      const [a, b] = [points[k], points[k + 1]];
      while (ti < this.tokens.length && this.tokens[ti].to <= a) ti++;
      const classes = [];
      const tok = this.tokens[ti];
      if (tok && tok.from <= a && b <= tok.to) classes.push(`t-${tok.class}`);
      for (const m of marks) if (m.from <= a && b <= m.to) classes.push(m.cls);
      // Past the end of the text, a space carries the underline of a diagnostic at the end.
      const piece = a >= text.length ? ' ' : escapeHtml(text.slice(a, b));
      html.push(classes.length ? `<span class="${classes.join(' ')}">${piece}</span>` : piece);
    }
    // The trailing line keeps the last (possibly empty) line as tall as in the textarea.
    this.pre.innerHTML = `${html.join('')}\n `;
    this.syncScroll();
  }

  /** The line and column (tabs expanded) of `offset`, both from 0. */
  lineCol(offset) {
    const before = this.ta.value.slice(0, offset);
    const lineStart = before.lastIndexOf('\n') + 1;
    const line = before.split('\n').length - 1;
    let col = 0;
    for (const ch of before.slice(lineStart)) col = ch === '\t' ? (Math.floor(col / TAB) + 1) * TAB : col + 1;
    return { line, col };
  }

  /** The viewport point just below the caret, for the completion popup. */
  caretPoint() {
    const { line, col } = this.lineCol(this.ta.selectionStart);
    const r = this.ta.getBoundingClientRect();
    return {
      x: r.left + this.padLeft + col * this.charWidth - this.ta.scrollLeft,
      y: r.top + this.padTop + (line + 1) * this.lineHeight - this.ta.scrollTop,
    };
  }

  /** The offset of the character under the viewport point, or null between or past characters. */
  offsetAt(clientX, clientY) {
    const r = this.ta.getBoundingClientRect();
    const x = clientX - r.left - this.padLeft + this.ta.scrollLeft;
    const y = clientY - r.top - this.padTop + this.ta.scrollTop;
    if (x < 0 || y < 0) return null;
    const line = Math.floor(y / this.lineHeight);
    const target = Math.floor(x / this.charWidth);
    const lines = this.ta.value.split('\n');
    if (line >= lines.length) return null;
    let offset = 0;
    for (let i = 0; i < line; i++) offset += lines[i].length + 1;
    let col = 0;
    for (let i = 0; i < lines[line].length; i++) {
      const next = lines[line][i] === '\t' ? (Math.floor(col / TAB) + 1) * TAB : col + 1;
      if (target < next) return offset + i;
      col = next;
    }
    return null;
  }

  onKeyDown(e) {
    if (this.completion.onKeyDown(e)) return;
    if (e.ctrlKey && (e.code === 'Space' || e.key === ' ')) {
      e.preventDefault();
      this.completion.open(true);
    } else if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.altKey) {
      e.preventDefault();
      document.execCommand('insertText', false, '  ');
    } else if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey && !e.shiftKey && !e.altKey) {
      // Keep the indentation of the line above.
      const at = this.ta.selectionStart;
      const lineStart = this.ta.value.lastIndexOf('\n', at - 1) + 1;
      const indent = /^[ \t]*/.exec(this.ta.value.slice(lineStart, at))[0];
      e.preventDefault();
      document.execCommand('insertText', false, `\n${indent}`);
    } else {
      this.cancelHover();
    }
  }

  onMouseMove(e) {
    this.cancelHover();
    const { clientX, clientY } = e;
    this.hoverTimer = setTimeout(() => this.showHover(clientX, clientY), HOVER_DELAY_MS);
  }

  cancelHover() {
    clearTimeout(this.hoverTimer);
    hideTip();
  }

  /** The diagnostics at the offset, then the engine's hover text for the word under the mouse. */
  showHover(x, y) {
    const offset = this.offsetAt(x, y);
    if (offset === null || !this.completion.closed) return;
    const parts = [];
    for (const d of this.diagnostics) {
      const to = Math.max(d.to.offset, d.from.offset + 1);
      if (d.from.offset <= offset && offset < to) {
        parts.push(`<p class="${d.severity}">${escapeHtml(d.severity)}: ${escapeHtml(d.message)}</p>`);
        if (d.hint) parts.push(`<p>${escapeHtml(d.hint)}</p>`);
      }
    }
    const info = engine.hover(this.ta.value, offset);
    if (info && info.markdown) {
      if (parts.length) parts.push('<hr>');
      parts.push(markdown(info.markdown));
    }
    if (parts.length) showTip(parts.join(''), x, y);
  }
}
