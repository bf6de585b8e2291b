// kanat studio: the page. Plain ES modules, no build step; every action is one call to the studio's API.
import { Viewer } from './viewer.js';

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids.flat()) if (k !== null && k !== undefined) e.append(k instanceof Node ? k : String(k));
  return e;
};

const state = { project: null, map: null, timeline: null, viewer: null, loop: null, version: Date.now(), polling: null };
const audio = $('#audio');

// ------------------------------------------------------------------ API
async function api(path, opts = {}) {
  const r = await fetch(path, opts);
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (!r.ok) {
    let detail = body && body.detail;
    if (Array.isArray(detail)) detail = detail.map(d => `${(d.loc || []).slice(-1)[0]}: ${d.msg}`).join('; ');
    const err = new Error(detail || `${r.status} ${r.statusText}`);
    err.status = r.status;
    err.project = body && body.project;  // a stale edit (409): the project as it is now
    throw err;
  }
  return body;
}
const post = (path, data) => api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data || {}) });

function say(text, kind = 'error') {
  const m = $('#message');
  if (!text) { m.hidden = true; return; }
  m.textContent = text;
  m.className = `message ${kind}`;
  m.hidden = false;
  if (kind !== 'error') setTimeout(() => { if (m.textContent === text) m.hidden = true; }, 6000);
}

// ------------------------------------------------------------------ projects
// The list comes a page at a time (GET /api/projects?limit=&offset=), newest first; "Show more" fetches the next.
const PAGE = 50;
state.projects = [];
state.projectsTotal = 0;
state.nextOffset = null;

async function refreshProjectList(selected) {
  const limit = Math.min(200, Math.max(PAGE, state.projects.length));  // keep the pages already shown
  const page = await api(`/api/projects?limit=${limit}&offset=0`);
  state.projects = page.projects;
  state.projectsTotal = page.total;
  state.nextOffset = page.next_offset;
  renderProjectList(selected);
}

async function moreProjects() {
  if (state.nextOffset === null) return;
  const page = await api(`/api/projects?limit=${PAGE}&offset=${state.nextOffset}`);
  const have = new Set(state.projects.map(p => p.id));
  state.projects.push(...page.projects.filter(p => !have.has(p.id)));
  state.projectsTotal = page.total;
  state.nextOffset = page.next_offset;
  renderProjectList(state.project && state.project.id);
}

const STATUS = { analysing: 'listening…', ready: 'analysed, no dance yet', danced: 'danced', failed: 'could not be analysed', working: 'working…' };

function projectFacts(p) {
  const bits = [p.busy ? 'working…' : (STATUS[p.status] || p.status)];
  if (p.duration_s) bits.push(fmt(p.duration_s).replace(/\.\d$/, ''));
  if (p.tempo_bpm) bits.push(`about ${Math.round(p.tempo_bpm)} BPM`);
  if (p.meter) bits.push(p.meter);
  if (p.alternatives) bits.push(`${p.alternatives} dance${p.alternatives > 1 ? 's' : ''}`);
  bits.push(`changed ${new Date(p.updated * 1000).toLocaleString()}`);
  return bits.join(' · ');
}

function renderProjectList(selected) {
  const s = $('#project-select');
  const options = state.projects.map(p => el('option', { value: p.id, selected: p.id === selected }, `${p.piece} · ${p.busy ? 'working' : p.status}`));
  if (selected && !state.projects.some(p => p.id === selected) && state.project && state.project.id === selected)
    options.unshift(el('option', { value: selected, selected: true }, `${state.project.piece} · ${state.project.status}`));
  if (state.nextOffset !== null) options.push(el('option', { value: '__more' }, `more… (${state.projectsTotal - state.projects.length} older)`));
  s.replaceChildren(el('option', { value: '' }, '— choose a project —'), ...options);
  $('#project-list').hidden = state.projectsTotal === 0;
  $('#project-count').textContent = `${state.projectsTotal} project${state.projectsTotal === 1 ? '' : 's'}, newest first`;
  $('#projects').replaceChildren(...state.projects.map(p => el('li', { class: 'project-item', 'data-id': p.id },
    el('span', { class: 'piece', title: p.name }, p.piece),
    el('span', { class: 'facts' }, projectFacts(p)),
    el('button', { class: 'open', onclick: () => { location.hash = p.id; openProject(p.id).catch(e => say(e.message)); } }, 'Open'),
    el('button', { class: 'delete danger', title: 'Delete this project: its music, dances and exports', onclick: () => deleteProject(p) }, 'Delete'))));
  $('#more-projects').hidden = state.nextOffset === null;
}

async function deleteProject(p) {
  if (!confirm(`Delete “${p.piece}” with its music, dances and exports? This cannot be undone.`)) return;
  try { await api(`/api/projects/${p.id}`, { method: 'DELETE' }); }
  catch (e) { return say(`Could not delete ${p.piece}: ${e.message}`); }
  say(`“${p.piece}” deleted`, 'ok');
  state.projects = state.projects.filter(x => x.id !== p.id);
  if (state.project && state.project.id === p.id) goHome();
  await refreshProjectList(state.project && state.project.id);
}

function goHome() {
  clearTimeout(state.polling);
  hideJob();
  audio.pause();
  audio.removeAttribute('src');
  clearMinis();
  state.project = null; state.map = null; state.timeline = null;
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  $('#studio').hidden = true;
  $('#welcome').hidden = false;
  document.title = 'kanat studio';
}

async function upload(file) {
  if (!file) return;
  say('');
  const fd = new FormData();
  fd.append('music', file, file.name);
  showJob({ kind: 'upload', stage: '', message: `sending ${file.name} (${(file.size / 1e6).toFixed(1)} MB)`, progress: 0 });
  try {
    const p = await api('/api/projects', { method: 'POST', body: fd });
    location.hash = p.id;
    await openProject(p.id);  // which refreshes the list
  } catch (e) {
    hideJob();
    say(`Could not open ${file.name}: ${e.message}`);
  }
}

async function openProject(id) {
  if (!id) return;
  const p = await api(`/api/projects/${id}`);
  state.project = p;
  $('#welcome').hidden = true;
  $('#studio').hidden = false;
  $('#project-title').textContent = p.piece;
  $('#project-title').title = p.name;
  document.title = `${p.piece} · kanat studio`;
  $('#map-warning').hidden = true;
  refreshProjectList(p.id).catch(() => {});
  if (p.busy && p.job) return pollJob(p.job, () => openProject(id));
  showRetry(p);
  if (p.status === 'failed') { $('#map-facts').textContent = 'could not be analysed'; return; }
  const src = `/api/projects/${id}/music`;
  if (audio.getAttribute('src') !== src) audio.src = src;  // the same piece keeps its place after a job
  state.map = await api(`/api/projects/${id}/map`);
  const m = state.map;
  const meters = [...new Set(m.meter)].sort().join('/');
  $('#map-facts').textContent = `${fmt(m.duration_s)} · ${m.beats_s.length} beats at about ${Math.round(m.tempo_bpm)} BPM · counted in ${meters} · ${m.phrases.length} phrases · sections ${m.sections.map(s => s.label).join(' ')}`;
  $('#map-warning').hidden = !m.warning;
  $('#map-warning').textContent = m.warning ? `Warning: ${m.warning}` : '';
  fillHints(m.hints || {}, p.alternatives > 0);
  drawMap();
  if (p.settings && p.settings.style) fillSettings(p.settings);
  renderAlternatives();
  if (p.alternatives > 0) await loadDance(); else { $('#dance').hidden = true; $('#timeline-card').hidden = true; $('#export-card').hidden = true; }
}

// ------------------------------------------------------------------ retry, counts (hints), sheet music
// A job that failed or was interrupted (the watchdog, a restart) shows its reason and, when it can, a Retry.
function showRetry(p) {
  const j = p.job, show = !!(j && (j.state === 'failed' || j.state === 'interrupted'));
  $('#job-retry').hidden = !show;
  if (!show) return;
  const what = { analyse: 'Listening to the music', generate: 'Composing', video: 'The video' }[j.kind] || 'The last job';
  $('#job-retry-why').textContent = `${what} ${j.state === 'failed' ? 'failed' : 'was interrupted'}: ${j.error || 'no reason given'}`;
  $('#retry').hidden = !j.retryable;
}

$('#retry').addEventListener('click', () => {
  $('#job-retry').hidden = true;
  startJob(post(`/api/projects/${state.project.id}/retry`));
});

state.taps = [];
function fillHints(h, danced) {
  const f = $('#hints');
  f.elements.meter.value = h.meter || '';
  f.elements.bpm.value = h.bpm || '';
  f.elements.first_downbeat_s.value = h.first_downbeat_s ?? '';
  state.taps = [...(h.taps_s || [])];
  showTaps();
  for (const b of document.querySelectorAll('#counts-card button[type=submit]')) {
    b.disabled = danced;
    b.title = danced ? 'This project has dances made on its counts: start a new project from the same music to count it again' : '';
  }
}
function showTaps() { $('#tap-count').textContent = state.taps.length ? `${state.taps.length} taps` : 'no taps'; }
function tap() {
  if (audio.paused) { audio.play(); return; }  // the first tap starts the music
  const t = Math.round(audio.currentTime * 1000) / 1000;
  if (!state.taps.length || t > state.taps[state.taps.length - 1] + 0.1) state.taps.push(t);
  showTaps();
}
$('#tap').addEventListener('click', tap);
document.addEventListener('keydown', (e) => {
  if ((e.key === 't' || e.key === 'T') && !$('#studio').hidden && !['INPUT', 'SELECT', 'TEXTAREA'].includes(e.target.tagName)) tap();
});
$('#tap-clear').addEventListener('click', () => { state.taps = []; showTaps(); });
$('#one-here').addEventListener('click', () => { $('#hints').elements.first_downbeat_s.value = audio.currentTime.toFixed(2); });
$('#hints').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = e.target, body = { taps_s: state.taps };
  if (f.elements.meter.value) body.meter = f.elements.meter.value;
  if (f.elements.bpm.value) body.bpm = Number(f.elements.bpm.value);
  if (f.elements.first_downbeat_s.value !== '') body.first_downbeat_s = Number(f.elements.first_downbeat_s.value);
  startJob(post(`/api/projects/${state.project.id}/listen`, body));
});
$('#sheet-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const file = e.target.elements.sheet.files[0];
  if (!file) { say('choose the piece\'s MIDI or MusicXML file first'); return; }
  const data = new FormData();
  data.append('sheet', file);
  startJob(api(`/api/projects/${state.project.id}/sheet`, { method: 'POST', body: data }));
});

function fillSettings(s) {
  const f = $('#generate');
  for (const k of ['style', 'innovation', 'difficulty', 'seed']) if (s[k] !== undefined) f.elements[k].value = s[k];
  $('#innovation-out').textContent = Number(f.elements.innovation.value).toFixed(2);
}

// ------------------------------------------------------------------ jobs
function showJob(j) {
  $('#job').hidden = false;
  $('#job-kind').textContent = { analyse: 'Listening to the music', generate: 'Composing', swap: 'Re-performing', regenerate: 'Regenerating', video: 'Rendering the video', upload: 'Uploading' }[j.kind] || j.kind;
  $('#job-stage').textContent = j.stage ? `· ${j.stage}` : '';
  $('#job-msg').textContent = j.message ? `· ${j.message}` : '';
  $('#job-bar').style.width = `${Math.round(100 * (j.progress || 0))}%`;
  document.body.classList.add('working');
}
function hideJob() { $('#job').hidden = true; document.body.classList.remove('working'); }

function pollJob(job, then) {
  clearTimeout(state.polling);
  showJob(job);
  const tick = async () => {
    let j;
    try { j = await api(`/api/jobs/${job.id}`); } catch (e) { say(e.message); hideJob(); return; }
    showJob(j);
    if (j.state === 'done') { hideJob(); if (j.message) say(j.message, 'ok'); if (then) await then(j); }
    else if (j.state === 'failed' || j.state === 'interrupted') { hideJob(); say(j.error || 'the job failed'); if (then) await then(j); }
    else state.polling = setTimeout(tick, 400);
  };
  state.polling = setTimeout(tick, 300);
}

async function startJob(promise) {
  say('');
  try { const job = await promise; pollJob(job, () => openProject(state.project.id)); }
  catch (e) { refused(e); }
}

// An edit the server refused; a stale one (made on an older version) shows the dance as it is now.
async function refused(e) {
  say(e.message);
  if (e.project && state.project && e.project.id === state.project.id) {
    await openProject(state.project.id);
    say(e.message);
  }
}

// ------------------------------------------------------------------ music map
function drawMap() {
  const c = $('#map'), m = state.map;
  if (!m) return;
  const w = c.clientWidth, h = 150, dpr = window.devicePixelRatio || 1;
  c.width = w * dpr; c.height = h * dpr;
  const g = c.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  const X = t => (t / m.duration_s) * w;
  const top = 22, mid = 22 + 52, amp = 46;
  // phrases with section letters
  m.phrases.forEach((ph, k) => {
    const x0 = X(ph.start_s), x1 = X(ph.end_s);
    const hue = (ph.section.charCodeAt(0) - 65) * 67 % 360;
    g.fillStyle = `hsla(${hue}, 55%, 55%, ${state.loop && state.loop.phrase === ph.index ? 0.38 : 0.16})`;
    g.fillRect(x0 + 1, top, x1 - x0 - 2, h - top - 18);
    g.strokeStyle = `hsla(${hue}, 55%, 65%, 0.9)`;
    g.strokeRect(x0 + 1, top, x1 - x0 - 2, h - top - 18);
    g.fillStyle = `hsl(${hue}, 60%, 75%)`;
    g.font = 'bold 13px system-ui, sans-serif';
    g.fillText(ph.section || '·', x0 + 5, 15);
    g.font = '10px system-ui, sans-serif';
    g.fillStyle = '#9aa0b4';
    if (x1 - x0 > 36) g.fillText(`ph ${ph.index}`, x0 + 18, 15);
  });
  // waveform
  const env = m.envelope, n = env.length;
  g.fillStyle = '#c9d1ff';
  for (let i = 0; i < n; i++) {
    const x = (i / n) * w, a = env[i] * amp;
    g.fillRect(x, mid - a, Math.max(1, w / n), 2 * a);
  }
  // beats, bars, counts
  const bottom = h - 18;
  const perBeat = w / m.beats_s.length;
  m.beats_s.forEach((t, i) => {
    const x = X(t), bar = m.beat_in_bar[i] === 1;
    g.fillStyle = bar ? '#ffd27a' : 'rgba(255,255,255,0.35)';
    g.fillRect(x, bar ? bottom - 14 : bottom - 6, bar ? 1.5 : 1, bar ? 14 : 6);
    if (bar && perBeat * m.meter[i] > 14) {
      g.fillStyle = '#b8bdd0'; g.font = '9px system-ui, sans-serif';
      g.fillText(m.count_labels[i], x + 2, h - 5);
    }
  });
  // playhead
  const x = X(audio.currentTime || 0);
  g.fillStyle = '#ff6b6b';
  g.fillRect(x - 1, 0, 2, h);
}
$('#map').addEventListener('click', (ev) => {
  if (!state.map) return;
  const r = ev.target.getBoundingClientRect();
  audio.currentTime = ((ev.clientX - r.left) / r.width) * state.map.duration_s;
  tick(true);
});
window.addEventListener('resize', () => drawMap());

// ------------------------------------------------------------------ generate and alternatives
$('#generate').elements.innovation.addEventListener('input', (e) => { $('#innovation-out').textContent = Number(e.target.value).toFixed(2); });
$('#generate').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const f = ev.target.elements;
  startJob(post(`/api/projects/${state.project.id}/generate`, {
    style: f.style.value, innovation: Number(f.innovation.value), difficulty: Number(f.difficulty.value),
    seed: Number(f.seed.value), alternatives: Number(f.alternatives.value),
  }));
});

// a small 3D preview per alternative, looping its dance silently at a few frames a second
state.minis = [];
function clearMinis() { state.minis.forEach(m => m.dispose()); state.minis = []; }
setInterval(() => {
  const t = performance.now() / 1000;
  for (const m of state.minis) if (m.duration) m.show(8 + (t % Math.max(1, m.duration - 8)));
}, 100);

function renderAlternatives() {
  const p = state.project, box = $('#alternatives');
  clearMinis();
  box.replaceChildren();
  if (!p.alternative_list || !p.alternative_list.length) {
    box.append(el('p', { class: 'hint' }, p.status === 'analysing' ? 'The music is being analysed…' : 'No dance yet: choose the settings above and press Generate dances.'));
    return;
  }
  for (const a of p.alternative_list) {
    const chosen = a.index === p.chosen;
    box.append(el('div', { class: `alt${chosen ? ' chosen' : ''}`, 'data-alt': a.index },
      el('div', { class: 'alt-head' }, el('b', {}, `Dance ${a.index}`), el('span', { class: 'facts' }, `seed ${a.seed}`)),
      el('div', { class: 'mini', id: `mini-${a.index}` }),
      el('div', { class: 'facts' }, `${a.steps} steps, ${a.different_steps} different · opens with ${a.opening.join(', ')}`),
      el('p', { class: 'alt-summary' }, a.summary || '(no critique yet)'),
      chosen ? el('span', { class: 'badge' }, '✓ watching this one')
        : el('button', { onclick: () => choose(a.index) }, 'Pick this one')));
  }
  for (const a of p.alternative_list) {
    if (!a.files.includes('dance.glb')) continue;
    const v = new Viewer($(`#mini-${a.index}`), { camera: [0, 1.9, 7.0] });
    if (!v.ok) continue;
    state.minis.push(v);
    v.load(`/api/projects/${p.id}/files/dance.glb?alt=${a.index}&v=${Date.now()}`).catch(() => v.dispose());
  }
}

async function choose(k) {
  try { state.project = await post(`/api/projects/${state.project.id}/choose`, { alternative: k }); } catch (e) { return say(e.message); }
  renderAlternatives();
  await loadDance();
}

// ------------------------------------------------------------------ the dance
async function loadDance() {
  const p = state.project;
  state.version = Date.now();
  $('#dance').hidden = false; $('#timeline-card').hidden = false; $('#export-card').hidden = false;
  state.timeline = await api(`/api/projects/${p.id}/timeline`);
  const s = state.timeline.settings;
  $('#dance-facts').textContent = `dance ${state.timeline.alternative} · ${s.style}, innovation ${s.innovation}, difficulty ${s.difficulty}, seed ${s.seed}`;
  renderTimeline();
  renderLoopChoices();
  renderExports();
  loadCritique();
  $('#counts-frame').src = fileUrl('counts.html');
  if (!state.viewer) state.viewer = new Viewer($('#view3d'));
  try { await state.viewer.load(fileUrl('dance.glb')); } catch (e) { say(`The 3D view could not load the dance: ${e.message}`); }
  tick(true);
}

const fileUrl = (name, download) => `/api/projects/${state.project.id}/files/${name}?alt=${state.timeline.alternative}&v=${state.version}${download ? '&download=true' : ''}`;

async function loadCritique() {
  const box = $('#tab-critique');
  try {
    const r = await fetch(fileUrl('critique.md'));
    box.innerHTML = markdown(await r.text());
  } catch (e) { box.textContent = 'no critique'; }
}

function markdown(md) {
  const esc = s => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const inline = s => esc(s).replace(/\*\*(.+?)\*\*/g, '<b>$1</b>').replace(/\*(.+?)\*/g, '<i>$1</i>').replace(/`(.+?)`/g, '<code>$1</code>');
  const out = []; let list = null, table = null;
  const lines = md.split('\n');
  let buf = [];
  const close = () => {
    if (list) { out.push(`<${list}>${buf.join('')}</${list}>`); list = null; buf = []; }
    if (table) { out.push(`<table>${table.join('')}</table>`); table = null; }
  };
  for (const line of lines) {
    let m;
    if ((m = line.match(/^(#{1,3}) (.*)/))) { close(); out.push(`<h${m[1].length + 2}>${inline(m[2])}</h${m[1].length + 2}>`); }
    else if ((m = line.match(/^- (.*)/))) { if (list !== 'ul') { close(); list = 'ul'; } buf.push(`<li>${inline(m[1])}</li>`); }
    else if ((m = line.match(/^\d+\. (.*)/))) { if (list !== 'ol') { close(); list = 'ol'; } buf.push(`<li>${inline(m[1])}</li>`); }
    else if (line.startsWith('|')) {
      if (!table) { close(); table = []; }
      if (/^\|[-| :]+\|$/.test(line)) continue;
      const cells = line.split('|').slice(1, -1).map(c => `<td>${inline(c.trim())}</td>`).join('');
      table.push(`<tr>${cells}</tr>`);
    }
    else if (line.trim() === '') close();
    else { close(); out.push(`<p>${inline(line)}</p>`); }
  }
  close();
  return out.join('\n');
}

document.querySelectorAll('.tab').forEach(b => b.addEventListener('click', () => {
  document.querySelectorAll('.tab').forEach(x => x.classList.toggle('active', x === b));
  $('#tab-critique').hidden = b.dataset.tab !== 'critique';
  $('#tab-counts').hidden = b.dataset.tab !== 'counts';
}));

// ------------------------------------------------------------------ transport
function fmt(t) { t = Math.max(0, t || 0); return `${Math.floor(t / 60)}:${(t % 60).toFixed(1).padStart(4, '0')}`; }

$('#play').addEventListener('click', () => { if (audio.paused) audio.play().catch(e => say(`Cannot play: ${e.message}`)); else audio.pause(); });
audio.addEventListener('play', () => { $('#play').textContent = '❚❚ Pause'; });
audio.addEventListener('pause', () => { $('#play').textContent = '▶ Play'; });
audio.addEventListener('seeked', () => tick(true));
audio.addEventListener('loadedmetadata', () => tick(true));
$('#scrub').addEventListener('input', (e) => {
  if (!state.map) return;
  audio.currentTime = (e.target.value / 1000) * state.map.duration_s;
  tick(true);
});
$('#half').addEventListener('change', (e) => { audio.playbackRate = e.target.checked ? 0.5 : 1.0; audio.preservesPitch = true; });
$('#loop').addEventListener('change', (e) => {
  const k = Number(e.target.value);
  const ph = state.timeline && state.timeline.phrases.find(p => p.phrase === k);
  state.loop = ph ? { phrase: k, start: ph.start_s, end: ph.end_s } : null;
  if (state.loop) audio.currentTime = state.loop.start;
  drawMap();
});
document.addEventListener('keydown', (e) => {
  if (e.code === 'Space' && !['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(document.activeElement.tagName)) { e.preventDefault(); $('#play').click(); }
});

function renderLoopChoices() {
  const s = $('#loop'), cur = state.loop ? String(state.loop.phrase) : '';
  s.replaceChildren(el('option', { value: '' }, 'whole piece'),
    ...state.timeline.phrases.map(p => el('option', { value: p.phrase, selected: String(p.phrase) === cur }, `phrase ${p.phrase} (${p.section}) ${fmt(p.start_s)}–${fmt(p.end_s)}`)));
}

function beatAt(t) {
  const b = state.map.beats_s;
  let lo = 0, hi = b.length - 1;
  if (t < b[0]) return -1;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (b[mid] <= t) lo = mid; else hi = mid - 1; }
  return lo;
}

let lastDraw = 0, lastStep = null;
function tick(force) {
  const t = audio.currentTime || 0;
  if (state.loop && !audio.paused && t >= state.loop.end) audio.currentTime = state.loop.start;
  if (state.viewer) state.viewer.show(t);
  if (!state.map) return;
  const i = beatAt(t);
  $('#hud-count').textContent = i >= 0 ? state.map.count_labels[i] : '–';
  $('#clock').textContent = `${fmt(t)} / ${fmt(state.map.duration_s)}`;
  if (document.activeElement !== $('#scrub')) $('#scrub').value = Math.round(1000 * t / state.map.duration_s);
  let current = null;
  if (state.timeline) for (const ph of state.timeline.phrases) for (const s of ph.steps) if (s.start_s <= t && t < s.end_s) current = s;
  $('#hud-step').textContent = current ? `${current.step}${current.side !== '-' ? ' ' + current.side : ''}` : '';
  const key = current ? `${current.first_beat}` : null;
  if (key !== lastStep) {
    document.querySelectorAll('.chip.now').forEach(c => c.classList.remove('now'));
    if (key) document.querySelectorAll(`.chip[data-beat="${key}"]`).forEach(c => c.classList.add('now'));
    lastStep = key;
  }
  const now = performance.now();
  if (force || now - lastDraw > 60) { drawMap(); lastDraw = now; }
}
function loop() { if (!audio.paused) tick(false); else if (state.viewer) state.viewer.show(audio.currentTime || 0); requestAnimationFrame(loop); }
requestAnimationFrame(loop);

// ------------------------------------------------------------------ timeline
function renderTimeline() {
  const box = $('#timeline');
  box.replaceChildren();
  for (const ph of state.timeline.phrases) {
    const row = el('div', { class: `phrase${ph.locked ? ' locked' : ''}`, 'data-phrase': ph.phrase });
    const hue = ((ph.section || 'A').charCodeAt(0) - 65) * 67 % 360;
    row.append(el('div', { class: 'phrase-head', style: `border-color: hsl(${hue},55%,60%)` },
      el('span', { class: 'sect', style: `background: hsl(${hue},45%,45%)` }, ph.section || '·'),
      el('span', {}, `Phrase ${ph.phrase}`), el('small', {}, `${ph.beats} beats · ${fmt(ph.start_s)}`),
      el('button', { class: 'lock', title: ph.locked ? 'Unlock: let regenerate change it' : 'Lock: keep this phrase when regenerating', onclick: () => lockPhrase(ph.phrase, !ph.locked) }, ph.locked ? '✓ locked' : 'lock'),
      el('button', { class: 'go', title: 'Play this phrase', onclick: () => { audio.currentTime = ph.start_s; tick(true); audio.play(); } }, '▶')));
    const chips = el('div', { class: 'chips' });
    for (const s of ph.steps) {
      chips.append(el('button', {
        class: `chip${s.locked ? ' locked' : ''}`, 'data-beat': s.first_beat, style: `flex-grow: ${s.beats}`,
        title: `${s.step} ${s.side} · count ${s.count} · ${s.beats} beats — click to swap`,
        onclick: (ev) => openSwap(ev, ph, s),
      }, el('span', { class: 'chip-count' }, s.count), el('span', { class: 'chip-name' }, s.step), s.side !== '-' ? el('span', { class: 'chip-side' }, s.side) : null));
    }
    row.append(chips);
    box.append(row);
  }
}

async function lockPhrase(k, locked) {
  try { await post(`/api/projects/${state.project.id}/lock`, { phrase: k, locked, alt: state.timeline.alternative, version: state.timeline.version }); }
  catch (e) { return refused(e); }
  state.timeline = await api(`/api/projects/${state.project.id}/timeline`);
  renderTimeline();
  say(locked ? `Phrase ${k} locked: regenerate keeps it` : `Phrase ${k} unlocked`, 'ok');
}

$('#regenerate').addEventListener('click', () => {
  startJob(post(`/api/projects/${state.project.id}/regenerate`, { alt: state.timeline.alternative, version: state.timeline.version }));
});

async function openSwap(ev, ph, s) {
  ev.stopPropagation();
  const menu = $('#swap-menu');
  menu.replaceChildren(el('div', { class: 'swap-title' }, `Swap “${s.step}” (count ${s.count}, ${s.beats} beats)`), el('p', { class: 'hint' }, 'loading the steps that fit…'));
  const r = ev.currentTarget.getBoundingClientRect();
  menu.style.left = `${Math.min(r.left + window.scrollX, window.scrollX + window.innerWidth - 340)}px`;
  menu.style.top = `${r.bottom + window.scrollY + 4}px`;
  menu.hidden = false;
  let c;
  try { c = await api(`/api/projects/${state.project.id}/candidates?phrase=${ph.phrase}&index=${s.index}&alt=${state.timeline.alternative}&version=${state.timeline.version}`); }
  catch (e) { menu.hidden = true; return refused(e); }
  const list = el('div', { class: 'swap-list' });
  if (!c.candidates.length) list.append(el('p', { class: 'hint' }, 'No other step of this length starts where the previous one ends.'));
  for (const cand of c.candidates) {
    list.append(el('button', { class: `cand ${cand.fits === 'both ends' ? 'fits' : 'half'}`, title: cand.description,
      onclick: () => { menu.hidden = true; startJob(post(`/api/projects/${state.project.id}/swap`, { phrase: ph.phrase, index: s.index, step: cand.step, side: cand.side, alt: state.timeline.alternative, version: state.timeline.version })); } },
      el('span', {}, cand.step), el('small', {}, `${cand.side !== '-' ? cand.side + ' · ' : ''}${cand.family}${cand.fits === 'both ends' ? '' : ' · next step needs a new start'}`)));
  }
  menu.replaceChildren(el('div', { class: 'swap-title' }, `Swap “${s.step} ${s.side}” · count ${s.count} · ${s.beats} beats`),
    el('p', { class: 'hint' }, `Steps of ${c.beats} beats in ${c.meter}/4 that start in ${c.after_stance_of_previous || 'any stance'}${c.before_stance_of_next ? ', best ending in ' + c.before_stance_of_next : ''}. The swapped step is locked.`),
    list, el('button', { class: 'close', onclick: () => { menu.hidden = true; } }, 'Cancel'));
}
document.addEventListener('click', (e) => { const m = $('#swap-menu'); if (!m.hidden && !m.contains(e.target)) m.hidden = true; });

// ------------------------------------------------------------------ exports
function renderExports() {
  const p = state.project;
  const alt = p.alternative_list.find(a => a.index === state.timeline.alternative) || { files: [] };
  const items = [
    ['dance.glb', 'glTF mannequin', 'Blender, three.js, game engines'],
    ['dance.bvh', 'BVH motion', 'SMPL joints, centimetres'],
    ['score.yaml', 'Score', 'edit, then kanat render'],
    ['counts.html', 'Counts sheet', 'printable, for the dancers'],
    ['critique.md', 'Critique', "the ballet master's notes"],
  ];
  const box = $('#exports');
  box.replaceChildren(...items.map(([name, label, what]) => el('a', { class: 'export', href: fileUrl(name, true), download: '' }, el('b', {}, label), el('small', {}, `${name} · ${what}`))));
  if (alt.files.includes('dance.mp4')) box.append(el('a', { class: 'export', href: fileUrl('dance.mp4', true), download: '', id: 'video-link' }, el('b', {}, 'Video'), el('small', {}, 'dance.mp4 · with the music and counts')));
  else box.append(el('button', { class: 'export make', id: 'make-video', onclick: () => startJob(post(`/api/projects/${p.id}/video?alt=${state.timeline.alternative}`)) }, el('b', {}, 'Make the video'), el('small', {}, 'dance.mp4 · takes a little while')));
}

// ------------------------------------------------------------------ start
$('#music-file').addEventListener('change', (e) => { upload(e.target.files[0]); e.target.value = ''; });
$('#project-select').addEventListener('change', (e) => {
  const id = e.target.value;
  if (id === '__more') { e.target.value = state.project ? state.project.id : ''; moreProjects().catch(err => say(err.message)); return; }
  if (id) { location.hash = id; openProject(id).catch(err => say(err.message)); }
});
$('#more-projects').addEventListener('click', () => moreProjects().catch(err => say(err.message)));
$('#home').addEventListener('click', (e) => { e.preventDefault(); goHome(); refreshProjectList().catch(err => say(err.message)); });
$('#delete-project').addEventListener('click', () => { if (state.project) deleteProject(state.project); });
const drop = $('#drop');
drop.addEventListener('click', () => $('#music-file').click());
['dragover', 'dragenter'].forEach(n => document.addEventListener(n, (e) => { e.preventDefault(); drop.classList.add('over'); }));
['dragleave', 'drop'].forEach(n => document.addEventListener(n, (e) => { e.preventDefault(); drop.classList.remove('over'); }));
document.addEventListener('drop', (e) => { if (e.dataTransfer.files.length) upload(e.dataTransfer.files[0]); });

(async () => {
  const id = location.hash.slice(1);
  await refreshProjectList(id);
  if (id) openProject(id).catch(e => say(e.message));
})();
