// faultline report — shared helpers (plain browser JS, inlined into report.html).
'use strict';
window.FL = (function () {
  const model = JSON.parse(document.getElementById('fl-model').textContent);
  const COLORS = {
    ok: '#2f9e44',
    fail: '#e03131',
    info: '#f08c00',
    fault: 'rgba(224,49,49,0.13)',
    faultEdge: 'rgba(224,49,49,0.55)',
    master: '#1c7ed6',
  };
  const TYPES = ['', 'ok', 'fail', 'info'];
  const focusListeners = [];

  function esc(s) {
    return String(s == null ? '' : s).replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
    );
  }
  /** el('div', {class: 'x', onclick: f}, child, 'text', ...) */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'html') e.innerHTML = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity))
      if (c != null && c !== false) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }
  const SVGNS = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v != null) e.setAttribute(k, String(v));
    for (const c of children.flat(Infinity))
      if (c != null && c !== false) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }
  function title(text) {
    return svg('title', {}, text);
  }
  /** parent.append that skips null/false (Element.append would write "null"). */
  function add(parent, ...kids) {
    for (const k of kids.flat(Infinity)) if (k != null && k !== false) parent.append(k);
    return parent;
  }

  /** ms since start -> "12.345 s" */
  function fmtT(ms) {
    if (ms == null || !isFinite(ms)) return '–';
    const s = ms / 1000;
    return (Math.abs(s) >= 100 ? s.toFixed(2) : s.toFixed(3)) + ' s';
  }
  function fmtLat(ms) {
    if (ms == null || !isFinite(ms)) return '–';
    return ms < 1
      ? (ms * 1000).toFixed(0) + ' µs'
      : ms < 1000
        ? ms.toFixed(ms < 10 ? 2 : 1) + ' ms'
        : (ms / 1000).toFixed(2) + ' s';
  }
  function fmtN(n) {
    return n == null ? '–' : Number(n).toLocaleString('en-US');
  }
  function nsToMs(ns) {
    return typeof ns === 'number' ? ns / 1e6 : null;
  }

  const addrToNode = {};
  for (const n of model.run.nodes || []) addrToNode[n.host + ':' + n.port] = n.name;
  /** "127.0.0.1:7001" -> "127.0.0.1:7001 (n1)" */
  function nodeLabel(addr) {
    if (addr == null) return '–';
    const n = addrToNode[addr];
    return n ? addr + ' (' + n + ')' : String(addr);
  }

  /** Elements as compact ranges: [1,2,3,7] -> "1–3, 7". */
  function ranges(values, max) {
    const nums = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
    const others = values.filter((v) => typeof v !== 'number').map((v) => JSON.stringify(v));
    const parts = [];
    for (let i = 0; i < nums.length; ) {
      let j = i;
      while (j + 1 < nums.length && nums[j + 1] <= nums[j] + 1) j++;
      parts.push(nums[i] === nums[j] ? String(nums[i]) : nums[i] + '–' + nums[j]);
      i = j + 1;
    }
    const all = parts.concat(others);
    return all.length > max
      ? all.slice(0, max).join(', ') + ', … (' + (all.length - max) + ' more ranges)'
      : all.join(', ');
  }

  async function decodeOps() {
    const meta = model.ops;
    const b64 = document.getElementById('fl-ops').textContent;
    const out = { count: meta.count };
    if (!meta.count || !b64) {
      for (const c of meta.layout) out[c.name] = new Float32Array(0);
      return out;
    }
    let bytes;
    if (typeof Uint8Array.fromBase64 === 'function') bytes = Uint8Array.fromBase64(b64);
    else {
      const bin = atob(b64);
      bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    }
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    const buf = await new Response(stream).arrayBuffer();
    const ctor = { f32: Float32Array, u32: Uint32Array, i32: Int32Array, u16: Uint16Array, u8: Uint8Array };
    const raw = {};
    for (const c of meta.layout) raw[c.name] = new ctor[c.type](buf, c.offset, meta.count);
    // undo the compact encodings (see OpColumns in data.ts): ms times, NaN for never completed
    const n = meta.count,
      NONE = -2147483648;
    const start = new Float64Array(n),
      lat = new Float32Array(n),
      val = new Int32Array(n);
    let acc = 0,
      prevVal = 0;
    for (let i = 0; i < n; i++) {
      acc += raw.startUs[i];
      start[i] = acc / 1000;
      const l = raw.latUs[i];
      lat[i] = l === 0xffffffff ? NaN : l / 1000;
      const d = raw.val[i];
      if (d === NONE) val[i] = NONE;
      else {
        prevVal = (prevVal + d) | 0;
        val[i] = prevVal;
      }
    }
    Object.assign(out, raw, { start, lat, val });
    return out;
  }

  /** uPlot plugin: shades fault intervals and marks failovers (x scale in seconds). */
  function faultsPlugin() {
    const faults = model.cluster.faults || [];
    const switches = model.cluster.switches || [];
    return {
      hooks: {
        drawClear: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            for (const f of faults) {
              const x0 = u.valToPos(f.from / 1000, 'x', true),
                x1 = u.valToPos(f.to / 1000, 'x', true);
              const a = Math.max(u.bbox.left, Math.min(x0, x1)),
                b = Math.min(u.bbox.left + u.bbox.width, Math.max(x0, x1));
              if (b <= a) continue;
              ctx.fillStyle = COLORS.fault;
              ctx.fillRect(a, u.bbox.top, Math.max(1, b - a), u.bbox.height);
            }
            ctx.restore();
          },
        ],
        draw: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = COLORS.master;
            ctx.setLineDash([4, 3]);
            ctx.lineWidth = Math.max(1, devicePixelRatio);
            for (const s of switches) {
              const x = u.valToPos(s.t / 1000, 'x', true);
              if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
              ctx.beginPath();
              ctx.moveTo(x, u.bbox.top);
              ctx.lineTo(x, u.bbox.top + u.bbox.height);
              ctx.stroke();
            }
            ctx.restore();
          },
        ],
      },
    };
  }

  function onFocus(fn) {
    focusListeners.push(fn);
  }
  /** Everyone (logs, op timeline) looks at time `t` (ms since start). */
  function focus(t, opts) {
    for (const fn of focusListeners) {
      try {
        fn(t, opts || {});
      } catch (e) {
        console.error(e);
      }
    }
  }

  function sectionError(id, e) {
    console.error(e);
    const s = document.getElementById(id);
    if (s)
      s.append(
        el(
          'div',
          { class: 'section-error' },
          'This part of the report could not be drawn: ' + (e && e.message ? e.message : e),
        ),
      );
  }

  return {
    model,
    COLORS,
    TYPES,
    esc,
    el,
    svg,
    title,
    add,
    fmtT,
    fmtLat,
    fmtN,
    nsToMs,
    nodeLabel,
    addrToNode,
    ranges,
    decodeOps,
    faultsPlugin,
    onFocus,
    focus,
    sectionError,
    timings: {},
  };
})();
