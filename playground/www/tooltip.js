// One floating tooltip for the page (editor hover, diagnostics, results), and the small part of
// Markdown that hover texts use: fenced code, inline code, bold, paragraphs and rules.

const tip = document.getElementById('tooltip');

export function escapeHtml(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

/** Shows `html` near the viewport point (x, y), kept inside the window. */
export function showTip(html, x, y) {
  tip.innerHTML = html;
  tip.hidden = false;
  const w = tip.offsetWidth;
  const h = tip.offsetHeight;
  const left = Math.max(4, Math.min(x + 12, window.innerWidth - w - 8));
  const top = y + 18 + h > window.innerHeight ? Math.max(4, y - h - 8) : y + 18;
  tip.style.left = `${left}px`;
  tip.style.top = `${top}px`;
}

export function hideTip() {
  tip.hidden = true;
}

function inline(s) {
  return escapeHtml(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}

/** Renders the Markdown subset hover texts are written in. */
export function markdown(md) {
  const out = [];
  let para = [];
  const flush = () => {
    if (para.length) out.push(`<p>${inline(para.join(' '))}</p>`);
    para = [];
  };
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('```')) {
      flush();
      const code = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) code.push(lines[i]);
      out.push(`<pre>${escapeHtml(code.join('\n'))}</pre>`);
    } else if (/^\s*(---|\*\*\*)\s*$/.test(line)) {
      flush();
      out.push('<hr>');
    } else if (line.trim() === '') {
      flush();
    } else {
      para.push(line.replace(/^#+\s*/, ''));
    }
  }
  flush();
  return out.join('');
}
