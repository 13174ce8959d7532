// Draws the compiled dataflow graph as SVG, laid out in layers from left to right: a node's layer
// is the length of the longest path reaching it, and within a layer nodes are ordered by the mean
// position of their predecessors (two sweeps), which keeps most edges from crossing.

const SVG = 'http://www.w3.org/2000/svg';
const CHAR_W = 7.3;
const NODE_H = 40;
const GAP_X = 64;
const GAP_Y = 18;
const PAD = 12;

const KIND_COLOURS = {
  input: ['#e6f0ff', '#2f6fdd'],
  output: ['#e8f6ec', '#2e8b57'],
  select: ['#f3e9fb', '#8639c5'],
  script: ['#fff4e0', '#b7791f'],
  operator: ['#fdecef', '#c2185b'],
};
const OTHER_COLOURS = ['#eef1f5', '#6a737d'];

/** Layer and order of every node: `{layers: [[id]], layer: Map}`. Cycles are cut where found. */
export function layout(graph) {
  const ids = graph.nodes.map((n) => n.id);
  const preds = new Map(ids.map((id) => [id, []]));
  const succs = new Map(ids.map((id) => [id, []]));
  for (const e of graph.edges) {
    if (!preds.has(e.to) || !succs.has(e.from) || e.from === e.to) continue;
    preds.get(e.to).push(e.from);
    succs.get(e.from).push(e.to);
  }
  // Longest path layering over a topological order (Kahn); nodes left in a cycle go last.
  const indeg = new Map(ids.map((id) => [id, preds.get(id).length]));
  const layer = new Map();
  const queue = ids.filter((id) => indeg.get(id) === 0);
  for (const id of queue) if (!layer.has(id)) layer.set(id, 0);
  for (let qi = 0; qi < queue.length; qi++) {
    const u = queue[qi];
    for (const v of succs.get(u)) {
      layer.set(v, Math.max(layer.get(v) ?? 0, layer.get(u) + 1));
      indeg.set(v, indeg.get(v) - 1);
      if (indeg.get(v) === 0) queue.push(v);
    }
  }
  const deepest = Math.max(-1, ...layer.values());
  for (const id of ids) if (indeg.get(id) > 0) layer.set(id, deepest + 1);
  // An output nothing writes to (often `err`) still belongs on the right, with the others.
  const last = Math.max(0, ...layer.values());
  for (const n of graph.nodes) {
    if (n.kind === 'output' && !preds.get(n.id).length && !succs.get(n.id).length) layer.set(n.id, last);
  }

  const layers = [];
  for (const id of ids) (layers[layer.get(id)] ||= []).push(id);
  const order = new Map();
  const place = () => layers.forEach((l) => l?.forEach((id, i) => order.set(id, i)));
  place();
  for (let sweep = 0; sweep < 2; sweep++) {
    for (const l of layers) {
      if (!l) continue;
      const mean = (id) => {
        const ps = preds.get(id).filter((p) => layer.get(p) < layer.get(id));
        return ps.length ? ps.reduce((s, p) => s + order.get(p), 0) / ps.length : order.get(id);
      };
      l.sort((a, b) => mean(a) - mean(b));
      place();
    }
  }
  return { layers: layers.filter(Boolean), layer };
}

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Replaces the contents of `container` with a drawing of `graph` (or a note when there is none). */
export function drawGraph(container, graph) {
  container.replaceChildren();
  if (!graph || !graph.nodes.length) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = graph ? 'The graph is empty.' : 'No graph while the query has errors.';
    container.append(p);
    return;
  }
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const { layers } = layout(graph);
  const width = (n) => Math.max(72, Math.max(n.label.length, n.kind.length * 0.8) * CHAR_W + 22);
  const box = new Map();
  let x = PAD;
  const tallest = Math.max(...layers.map((l) => l.length));
  for (const l of layers) {
    const w = Math.max(...l.map((id) => width(byId.get(id))));
    const offset = ((tallest - l.length) * (NODE_H + GAP_Y)) / 2;
    l.forEach((id, i) => {
      const nw = width(byId.get(id));
      box.set(id, { x: x + (w - nw) / 2, y: PAD + offset + i * (NODE_H + GAP_Y), w: nw, h: NODE_H });
    });
    x += w + GAP_X;
  }
  const svgW = x - GAP_X + PAD;
  const svgH = PAD * 2 + tallest * (NODE_H + GAP_Y) - GAP_Y;
  const svg = el('svg', { width: svgW, height: svgH, viewBox: `0 0 ${svgW} ${svgH}`, role: 'img' });
  svg.append(el('title', {}, 'The dataflow graph'));
  const defs = el('defs');
  const marker = el('marker', {
    id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
  });
  marker.append(el('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#8a94a3' }));
  defs.append(marker);
  svg.append(defs);

  const seen = new Map();
  for (const e of graph.edges) {
    const a = box.get(e.from);
    const b = box.get(e.to);
    if (!a || !b) continue;
    // Parallel edges between one pair of nodes fan out a little.
    const key = `${e.from}\u0000${e.to}`;
    const nth = seen.get(key) || 0;
    seen.set(key, nth + 1);
    const x1 = a.x + a.w;
    const y1 = a.y + a.h / 2 + nth * 6;
    const x2 = b.x;
    const y2 = b.y + b.h / 2 + nth * 6;
    let d;
    if (x2 > x1) {
      const dx = Math.max(24, (x2 - x1) / 2);
      d = `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
    } else {
      // A back edge (a cycle, or a node to itself) loops below the boxes.
      const low = Math.max(a.y + a.h, b.y + b.h) + 16 + nth * 6;
      d = `M${x1},${y1} C${x1 + 40},${low} ${x2 - 40},${low} ${x2},${y2}`;
    }
    const g = el('g', { class: 'edge-group' });
    g.append(el('title', {}, `${byId.get(e.from).label}/${e.from_port} → ${byId.get(e.to).label}/${e.to_port}`));
    g.append(el('path', { class: 'edge', d, 'marker-end': 'url(#arrow)' }));
    if (e.from_port !== 'out') g.append(el('text', { class: 'port-label', x: x1 + 4, y: y1 - 4 }, e.from_port));
    if (e.to_port !== 'in') {
      g.append(el('text', { class: 'port-label', x: x2 - 4, y: y2 - 4, 'text-anchor': 'end' }, e.to_port));
    }
    svg.append(g);
  }
  for (const n of graph.nodes) {
    const b = box.get(n.id);
    const [fill, stroke] = KIND_COLOURS[n.kind] || OTHER_COLOURS;
    const g = el('g', { class: 'node', transform: `translate(${b.x},${b.y})` });
    g.append(el('title', {}, `${n.label} (${n.kind})`));
    g.append(el('rect', { width: b.w, height: b.h, fill, stroke }));
    g.append(el('text', { x: b.w / 2, y: 15 }, n.label));
    g.append(el('text', { class: 'kind', x: b.w / 2, y: 30 }, n.kind));
    svg.append(g);
  }
  container.append(svg);
}
