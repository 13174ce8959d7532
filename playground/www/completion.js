// The completion popup: opened by Ctrl-Space, and by typing a letter, `.` or `::` outside strings
// and comments. The engine proposes what fits at the caret; the popup narrows that to the word
// being typed. Items may be LSP snippets (`name(${1:arg})`): they are inserted as plain text with
// the first placeholder selected, as are the arguments of a call the engine wrote out plainly.
import * as engine from './engine.js';
import { escapeHtml } from './tooltip.js';

const WORD_BEFORE = /[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_ITEMS = 200;

export class Completion {
  constructor(editor, popup) {
    this.editor = editor;
    this.popup = popup;
    this.items = [];
    this.active = 0;
    this.start = 0;
    popup.addEventListener('mousedown', (e) => {
      // Keep the focus (and the caret) in the editor.
      e.preventDefault();
      const li = e.target.closest('li');
      if (li) this.accept(Number(li.dataset.i));
    });
  }

  get closed() {
    return this.popup.hidden;
  }

  close() {
    this.popup.hidden = true;
    this.items = [];
  }

  /** After an edit: open on a word character, `.` or `::`; narrow or close while open. */
  onInput(e) {
    const ta = this.editor.ta;
    const at = ta.selectionStart;
    if (e.inputType !== 'insertText' || !e.data || ta.selectionEnd !== at) {
      if (!this.closed && e.inputType === 'deleteContentBackward') this.open(false);
      else this.close();
      return;
    }
    const ch = e.data[e.data.length - 1];
    const before = ta.value.slice(0, at);
    const trigger = /[A-Za-z_]/.test(ch) || ch === '.' || (ch === ':' && before.endsWith('::'));
    const narrowing = !this.closed && /[0-9]/.test(ch);
    if ((trigger || narrowing) && !this.inStringOrComment(at)) this.open(false);
    else this.close();
  }

  inStringOrComment(at) {
    return this.editor.tokens.some((t) => t.from < at && at <= t.to && (t.class === 'string' || t.class === 'comment'));
  }

  /** Asks the engine for proposals at the caret; `explicit` (Ctrl-Space) shows them even without a word. */
  open(explicit) {
    const ta = this.editor.ta;
    const at = ta.selectionStart;
    const word = (ta.value.slice(0, at).match(WORD_BEFORE) || [''])[0];
    const lower = word.toLowerCase();
    const all = engine.complete(ta.value, at);
    const items = all.filter((it) => it.label.toLowerCase().startsWith(lower) && it.label !== word);
    if (!items.length || (!explicit && !word && !/[.:]$/.test(ta.value.slice(0, at)))) {
      this.close();
      return;
    }
    this.items = items.slice(0, MAX_ITEMS);
    this.start = at - word.length;
    this.active = 0;
    this.popup.innerHTML = this.items
      .map((it, i) =>
        `<li role="option" data-i="${i}"><span class="label">${escapeHtml(it.label)}</span>` +
        `<span class="detail">${escapeHtml(it.detail || it.kind || '')}</span></li>`)
      .join('');
    const { x, y } = this.editor.caretPoint();
    this.popup.hidden = false;
    this.popup.style.left = `${Math.min(x, window.innerWidth - this.popup.offsetWidth - 8)}px`;
    const below = y + this.popup.offsetHeight < window.innerHeight;
    this.popup.style.top = `${below ? y : y - this.editor.lineHeight - this.popup.offsetHeight}px`;
    this.highlight(0);
  }

  highlight(i) {
    const lis = this.popup.children;
    if (!lis.length) return;
    lis[this.active]?.classList.remove('active');
    this.active = (i + lis.length) % lis.length;
    lis[this.active].classList.add('active');
    lis[this.active].setAttribute('aria-selected', 'true');
    lis[this.active].scrollIntoView({ block: 'nearest' });
  }

  /** Keys while the popup is open; true when the key was consumed. */
  onKeyDown(e) {
    if (this.closed) return false;
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: 8, PageUp: -8 };
    if (e.key in moves) {
      this.highlight(Math.max(-1, Math.min(this.items.length, this.active + moves[e.key])));
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      this.accept(this.active);
    } else if (e.key === 'Escape') {
      this.close();
    } else {
      return false;
    }
    e.preventDefault();
    return true;
  }

  accept(i) {
    const item = this.items[i];
    if (!item) return;
    this.close();
    const { text, select } = expandSnippet(item.insert || item.label);
    const end = this.editor.ta.selectionStart;
    this.editor.replaceRange(this.start, end, text);
    // A snippet's first placeholder, else a call's arguments (`mean(x)`), are selected to be typed over.
    const args = /\(([^()]+)\)$/.exec(text);
    const range = select || (args && [args.index + 1, text.length - 1]);
    if (range) this.editor.ta.setSelectionRange(this.start + range[0], this.start + range[1]);
    this.editor.ta.dispatchEvent(new Event('input'));
  }
}

/** An LSP snippet as plain text, with the range of its first placeholder (or of `$0`). */
export function expandSnippet(snippet) {
  let text = '';
  let first = null;
  let firstN = Infinity;
  const re = /\\([$}\\])|\$\{(\d+)(?::([^}]*))?\}|\$(\d+)/g;
  let last = 0;
  for (let m; (m = re.exec(snippet)); ) {
    text += snippet.slice(last, m.index);
    last = re.lastIndex;
    if (m[1]) {
      text += m[1];
      continue;
    }
    const n = Number(m[2] ?? m[4]);
    const body = m[3] ?? '';
    const rank = n === 0 ? Infinity - 1 : n;
    if (first === null || rank < firstN) {
      first = [text.length, text.length + body.length];
      firstN = rank;
    }
    text += body;
  }
  text += snippet.slice(last);
  return { text, select: first };
}
