// WikiFarm Provisioner progress page: plain browser JS, no build step, no dependencies.
'use strict';

// The API lives next to this page, whatever path a proxy serves it under ("/", "/farm/", "/farm/index.html").
const API = (() => {
  let dir = location.pathname;
  if (!dir.endsWith('/')) {
    const last = dir.slice(dir.lastIndexOf('/') + 1);
    dir = last.includes('.') ? dir.slice(0, dir.length - last.length) : dir + '/';
  }
  return new URL(dir + 'provisioner/v1/', location.origin).href;
})();

const PHASES = {
  dir_copy: 'Copying template',
  render_ini: 'Writing settings',
  db_provision: 'Creating database',
  oauth_keys: 'Generating keys',
  docker_install: 'Installing MediaWiki',
  flip_bootstrap: 'Finishing installation',
  index: 'Building search index',
};
const FIELDS = ['name', 'slug', 'language', 'visibility', 'owner-id', 'owner-name'];
const IDENTITY_KEY = 'wikifarm.provisioner.actingAs';

const $ = (id) => document.getElementById(id);

// ---- small helpers ---------------------------------------------------------------------------------------------

/** fetch + JSON; resolves to {status, body} and never throws for HTTP errors (only for network failures). */
async function api(path, options = {}) {
  const response = await fetch(API + path, { headers: { Accept: 'application/json' }, ...options });
  let body = null;
  try { body = await response.json(); } catch (e) { /* not JSON */ }
  return { status: response.status, body };
}

function errorOf(result) {
  const error = result.body && result.body.error;
  return error || { code: 'http_' + result.status, message: 'The server answered ' + result.status + '.' };
}

function safeUrl(url) {
  return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : null;
}

// ---- "acting as" identity (dev/demo convenience) -----------------------------------------------------------

function loadIdentity() {
  let saved = {};
  try { saved = JSON.parse(localStorage.getItem(IDENTITY_KEY)) || {}; } catch (e) { /* ignore */ }
  $('owner-id').value = saved.id || 1;
  $('owner-name').value = saved.username || 'Admin';
}

function identity() {
  return { id: Number($('owner-id').value), username: $('owner-name').value.trim() };
}

function saveIdentity() {
  const who = identity();
  try { localStorage.setItem(IDENTITY_KEY, JSON.stringify(who)); } catch (e) { /* private mode */ }
  refreshWikis();
}

// ---- field errors ----------------------------------------------------------------------------------------------

function setFieldError(field, message) {
  $(field + '-error').textContent = message || '';
  $(field).setAttribute('aria-invalid', message ? 'true' : 'false');
}

function setFormError(message) {
  $('form-error').textContent = message || '';
  $('form-error').hidden = !message;
}

function clearErrors() {
  FIELDS.forEach((f) => setFieldError(f, ''));
  setFormError('');
}

/** Shows an API error next to the field it names (details.field), or at the top of the form. */
function showApiError(error) {
  const field = error.details && error.details.field;
  const target = { owner: 'owner-id', 'owner.id': 'owner-id', 'owner.username': 'owner-name' }[field] || field;
  if (FIELDS.includes(target)) {
    setFieldError(target, error.message);
    $(target).focus();
  } else {
    setFormError(error.message);
  }
}

// ---- slug availability (debounced) ---------------------------------------------------------------------------

let slugTimer = null;
let slugCheck = 0;
let slugEdited = false;

function setSlugStatus(state, text) {
  const status = $('slug-status');
  status.dataset.state = state;
  status.textContent = text;
}

function scheduleSlugCheck() {
  clearTimeout(slugTimer);
  setFieldError('slug', '');
  const slug = $('slug').value.trim();
  if (!slug) {
    slugCheck++;
    setSlugStatus('', '');
    return;
  }
  setSlugStatus('checking', 'checking…');
  slugTimer = setTimeout(() => checkSlug(slug), 300);
}

async function checkSlug(slug) {
  const mine = ++slugCheck;
  let text;
  let state;
  try {
    const result = await api('wikis/slug/' + encodeURIComponent(slug) + '/exists');
    if (result.status === 200 && result.body) {
      state = result.body.exists ? (result.body.reason || 'taken') : 'available';
      text = { available: 'available', taken: 'taken: another wiki uses this address',
               reserved: 'reserved: this address cannot be used' }[state] || state;
    } else {
      state = 'invalid';
      text = errorOf(result).message;
    }
  } catch (e) {
    state = 'error';
    text = 'could not check the address (' + e.message + ')';
  }
  if (mine === slugCheck) { // a newer check supersedes this one
    setSlugStatus(state, text);
  }
}

/** Suggests a slug from the name until the user edits the slug themselves. */
function suggestSlug() {
  if (slugEdited) return;
  const slug = $('name').value.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '').slice(0, 32).replace(/-+$/, '');
  if (slug !== $('slug').value) {
    $('slug').value = slug;
    scheduleSlugCheck();
  }
}

// ---- create ------------------------------------------------------------------------------------------------------

async function submitForm(event) {
  event.preventDefault();
  clearErrors();
  const body = {
    name: $('name').value,
    slug: $('slug').value.trim(),
    language: $('language').value.trim() || undefined,
    visibility: $('visibility').value,
    owner: identity(),
  };
  $('submit').disabled = true;
  try {
    const result = await api('wikis', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
    if (result.status === 202 && result.body && result.body.task_id) {
      location.hash = 'task=' + result.body.task_id; // a reload reattaches (see hashchange)
      slugEdited = false;
      setSlugStatus('', '');
      refreshWikis();
    } else {
      showApiError(errorOf(result));
    }
  } catch (e) {
    setFormError('The service could not be reached: ' + e.message);
  } finally {
    $('submit').disabled = false;
  }
}

// ---- live progress -----------------------------------------------------------------------------------------------

let source = null;

function attach(taskId) {
  if (source) source.close();
  $('task').hidden = false;
  $('task-id').textContent = taskId;
  $('log').replaceChildren();
  $('result').textContent = '';
  $('result').className = '';
  $('phase').textContent = 'Connecting';
  showProgress({ progress: 0 });
  $('message').textContent = '';

  source = new EventSource(API + 'tasks/' + encodeURIComponent(taskId) + '/events');
  source.addEventListener('progress', (e) => showProgress(JSON.parse(e.data)));
  source.addEventListener('status', (e) => {
    source.close(); // the server closes after this; without close() the browser would reconnect
    source = null;
    finish(JSON.parse(e.data));
  });
  source.onerror = () => {
    if (!source) return;
    if (source.readyState === EventSource.CLOSED) { // e.g. 404 unknown task: the browser gives up
      source = null;
      $('result').className = 'failed';
      $('result').textContent = 'Could not follow task ' + taskId + ' (unknown task or service unavailable).';
    } else {
      $('message').textContent = 'connection lost, reconnecting…';
    }
  };
}

function showProgress(event) {
  const progress = Math.max(0, Math.min(100, Number(event.progress) || 0));
  $('bar').value = progress;
  $('bar').setAttribute('aria-valuetext', progress + ' %');
  $('percent').textContent = progress + ' %';
  if (event.phase) {
    $('phase').textContent = PHASES[event.phase] || event.phase;
  } else if (event.status === 'queued') {
    $('phase').textContent = 'Queued';
  }
  if (event.message) {
    $('message').textContent = event.message;
    log(progress, event.message);
  }
}

function log(progress, message) {
  const entry = document.createElement('li');
  entry.textContent = progress + ' %: ' + message;
  const list = $('log');
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
  list.append(entry);
  while (list.children.length > 500) list.firstChild.remove();
  if (atBottom) list.scrollTop = list.scrollHeight; // follow the newest line unless the user scrolled up
}

async function finish(event) {
  showProgress(event);
  const result = $('result');
  result.className = event.status;
  if (event.status !== 'succeeded') {
    $('phase').textContent = 'Failed';
    result.textContent = 'Failed: ' + (event.message || 'unknown error');
    refreshWikis();
    return;
  }
  $('phase').textContent = 'Done';
  result.textContent = 'Your wiki is ready.';
  const wikis = await refreshWikis();
  const wiki = wikis.find((w) => w.id === event.wiki_id);
  const url = wiki && safeUrl(wiki.url);
  if (url) {
    const link = document.createElement('a');
    link.href = url;
    link.id = 'wiki-link';
    link.textContent = 'Open ' + wiki.name;
    result.append(' ', link);
  }
}

// ---- my wikis ----------------------------------------------------------------------------------------------------

let listRequest = 0;

/** Reloads the acting user's wikis; resolves to the list (empty on error). */
async function refreshWikis() {
  const mine = ++listRequest;
  const { id } = identity();
  $('list-error').textContent = '';
  let wikis = [];
  try {
    const result = await api('users/' + encodeURIComponent(id) + '/wikis');
    if (result.status === 200 && result.body) {
      wikis = result.body.wikis || [];
    } else {
      $('list-error').textContent = errorOf(result).message;
    }
  } catch (e) {
    $('list-error').textContent = 'The service could not be reached: ' + e.message;
  }
  if (mine === listRequest) renderWikis(wikis);
  return wikis;
}

function renderWikis(wikis) {
  const rows = wikis.map((w) => {
    const row = document.createElement('tr');
    row.dataset.slug = w.slug;
    const name = document.createElement('td');
    const url = w.status === 'ready' && safeUrl(w.url);
    if (url) {
      const link = document.createElement('a');
      link.href = url;
      link.textContent = w.name;
      name.append(link);
    } else {
      name.textContent = w.name;
    }
    const cells = [w.slug, w.language].map((text) => {
      const cell = document.createElement('td');
      cell.textContent = text;
      return cell;
    });
    const status = document.createElement('td');
    const badge = document.createElement('span');
    badge.className = 'badge ' + w.status;
    badge.textContent = w.status;
    status.append(badge);
    row.append(name, ...cells, status);
    return row;
  });
  document.querySelector('#wikis tbody').replaceChildren(...rows);
  $('wikis').hidden = rows.length === 0;
  $('list-empty').hidden = rows.length > 0;
}

// ---- wiring --------------------------------------------------------------------------------------------------------

function taskFromHash() {
  const match = /^#task=([0-9a-fA-F-]{1,64})$/.exec(location.hash);
  return match ? match[1] : null;
}

document.addEventListener('DOMContentLoaded', () => {
  loadIdentity();
  $('owner-id').addEventListener('change', saveIdentity);
  $('owner-name').addEventListener('change', saveIdentity);
  $('name').addEventListener('input', () => { setFieldError('name', ''); suggestSlug(); });
  $('slug').addEventListener('input', () => { slugEdited = $('slug').value !== ''; scheduleSlugCheck(); });
  $('language').addEventListener('input', () => setFieldError('language', ''));
  $('create-form').addEventListener('submit', submitForm);
  $('refresh').addEventListener('click', refreshWikis);
  window.addEventListener('hashchange', () => { const t = taskFromHash(); if (t) attach(t); });
  refreshWikis();
  const task = taskFromHash();
  if (task) attach(task);
});
