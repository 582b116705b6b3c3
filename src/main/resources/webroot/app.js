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

// Labels of the phases this page knows; the list itself is never assumed (a phase it does not know is shown by
// its name), since the service decides which phases a task has.
const PHASES = {
  dir_copy: 'Copying template',
  render_ini: 'Writing settings',
  db_provision: 'Creating database',
  oauth: 'Generating keys',
  docker_install: 'Installing MediaWiki',
  docker_index_cfg: 'Configuring search',
  flip_bootstrap: 'Finishing installation',
  index: 'Building search index',
  verify: 'Checking the wiki',
  archive: 'Archiving',
  drop_db: 'Dropping the database',
  remove_keys: 'Removing keys',
  remove_dir: 'Removing files',
};
const FIELDS = ['name', 'slug', 'language', 'visibility', 'owner-id', 'owner-name'];
const IDENTITY_KEY = 'wikifarm.provisioner.actingAs';

const $ = (id) => document.getElementById(id);

// Identity mode of the service (ui.json): 'body' (this page sends the owner) or 'headers' (a proxy supplies the
// user on every request; then `proxyUser` is whom it supplied, or null).
let identityMode = 'body';
let proxyUser = null;

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
  if (identityMode === 'headers') {
    return proxyUser || { id: null, username: null };
  }
  return { id: Number($('owner-id').value), username: $('owner-name').value.trim() };
}

/** Asks the service which identity mode it runs in; the page defaults to 'body' when it cannot tell. */
async function loadUiConfig() {
  try {
    const response = await fetch(new URL('ui.json', location.href), { headers: { Accept: 'application/json' } });
    const config = response.ok ? await response.json() : {};
    if (config.identity !== 'headers') return;
    identityMode = 'headers';
    proxyUser = config.user || null;
    $('body-identity').hidden = true;
    $('proxy-identity').hidden = false;
    $('identity-title').textContent = 'Identity from the proxy';
    $('proxy-user').textContent = proxyUser
      ? 'Creating wikis as ' + proxyUser.username + ' (user ' + proxyUser.id + ').'
      : 'The proxy supplied no user' + (config.problem ? ' (' + config.problem + ')' : '')
        + ': the service will refuse to create a wiki from this browser.';
  } catch (e) { /* an older service without ui.json: body mode */ }
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
    owner: identityMode === 'body' ? identity() : undefined, // in headers mode the proxy says who it is
  };
  $('submit').disabled = true;
  let started = false;
  try {
    const result = await api('wikis', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
    if (result.status === 202 && result.body && result.body.task_id) {
      started = true;
      // the values were used: clear them, so a second click cannot send them again (the answer would be 409)
      $('name').value = '';
      $('slug').value = '';
      slugEdited = false;
      setSlugStatus('', '');
      attach(result.body.task_id, { scroll: true });
      history.replaceState(null, '', '#task=' + result.body.task_id); // a reload reattaches
      refreshWikis();
    } else {
      showApiError(errorOf(result));
    }
  } catch (e) {
    setFormError('The service could not be reached: ' + e.message);
  } finally {
    if (!started) $('submit').disabled = false; // else the task's end frees the form
  }
}

/** While a task runs the form is locked, so its progress is the one thing to look at. */
let taskRunning = false;

function lockForm(locked) {
  taskRunning = locked;
  document.querySelectorAll('#wikis button.delete').forEach((b) => { b.disabled = locked; });
  $('create-fields').disabled = locked;
  $('submit').disabled = locked;
  $('busy-hint').hidden = !locked;
}

/** Brings the progress card into view: after a click it is often below the fold. */
function showTaskCard() {
  const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  $('task').scrollIntoView({ behavior: smooth ? 'smooth' : 'auto', block: 'start' });
  $('task-title').focus({ preventScroll: true }); // screen readers follow to the progress too
}

// ---- live progress -----------------------------------------------------------------------------------------------

let source = null;

let attachedTask = null;

/** What the followed task does: 'create', or 'delete' (then `slug` names the wiki when the page knows it). */
let attachedKind = { kind: 'create', slug: null };

function attach(taskId, { scroll = false, kind = 'create', slug = null } = {}) {
  if (taskId === attachedTask && source) return; // already following it (the hash names it too)
  if (source) source.close();
  attachedTask = taskId;
  attachedKind = { kind, slug };
  lockForm(true);
  $('task').hidden = false;
  $('task-id').textContent = taskId;
  $('task-what').textContent = kind === 'delete' ? 'Deleting ' + (slug || 'a wiki') : 'Creating a wiki';
  $('log').replaceChildren();
  $('result').textContent = '';
  $('result').className = '';
  $('bar').className = '';
  $('percent').className = '';
  $('phase').textContent = 'Connecting';
  shownProgress = 0;
  lastLogged = null;
  showProgress({ progress: 0 });
  $('message').textContent = '';
  if (scroll) showTaskCard();

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
      lockForm(false);
      $('result').className = 'failed';
      $('result').textContent = 'Could not follow task ' + taskId + ' (unknown task or service unavailable).';
    } else {
      $('message').textContent = 'connection lost, reconnecting…';
    }
  };
}

let shownProgress = 0;
let lastLogged = null;

/** One progress event: the bar moves with it (also inside a long phase), never back. */
function showProgress(event, { logMessage = true } = {}) {
  const progress = Math.max(shownProgress, Math.min(100, Number(event.progress) || 0));
  shownProgress = progress;
  $('bar').value = progress;
  $('bar').setAttribute('aria-valuetext', progress + ' %');
  $('percent').textContent = progress + ' %';
  if (event.phase) {
    $('phase').textContent = PHASES[event.phase] || event.phase;
  } else if (event.status === 'queued') {
    $('phase').textContent = 'Queued';
  }
  if (event.message && logMessage) {
    $('message').textContent = event.message;
    // paced events inside a long phase repeat the current line with a new percentage: one log line per message
    if (event.message !== lastLogged) log(progress, event.message);
    lastLogged = event.message;
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
  lockForm(false);
  const result = $('result');
  result.className = event.status;
  $('bar').className = event.status;
  $('percent').className = event.status;
  if (event.status !== 'succeeded') {
    // the bar stays where the task got to (the event carries that progress), in red; the message once, here
    shownProgress = 0;
    showProgress(event, { logMessage: false });
    $('phase').textContent = 'Failed';
    $('message').textContent = '';
    result.textContent = 'Failed: ' + (event.message || 'unknown error');
    refreshWikis();
    return;
  }
  showProgress(event, { logMessage: false });
  $('message').textContent = '';
  $('phase').textContent = 'Done';
  if (attachedKind.kind === 'delete') {
    result.textContent = (attachedKind.slug ? 'The wiki ' + attachedKind.slug : 'The wiki') + ' was deleted.';
    refreshWikis(); // it is gone from the list
    return;
  }
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
  if (id === null) { // headers mode without a user: there is nobody whose wikis to list
    renderWikis(wikis);
    return wikis;
  }
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
    const cells = [[w.slug, 'slug'], [w.language, 'lang']].map(([text, className]) => {
      const cell = document.createElement('td');
      cell.className = className;
      cell.textContent = text;
      return cell;
    });
    const status = document.createElement('td');
    const badge = document.createElement('span');
    badge.className = 'badge ' + w.status;
    badge.textContent = w.status;
    status.append(badge);
    const actions = document.createElement('td');
    actions.className = 'actions';
    if (w.status === 'ready' || w.status === 'failed') { // the only states a delete is accepted in
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'delete secondary';
      button.textContent = 'Delete';
      button.setAttribute('aria-label', 'Delete ' + w.slug);
      button.disabled = taskRunning;
      button.addEventListener('click', () => openDeleteDialog(w, button));
      actions.append(button);
    }
    row.append(name, ...cells, status, actions);
    return row;
  });
  document.querySelector('#wikis tbody').replaceChildren(...rows);
  $('wikis').hidden = rows.length === 0;
  $('list-empty').hidden = rows.length > 0;
}

// ---- delete -------------------------------------------------------------------------------------------------------

let deleting = null; // the wiki the open confirmation is about

function openDeleteDialog(wiki, button) {
  deleting = wiki;
  $('delete-name').textContent = wiki.name;
  $('delete-slug').textContent = wiki.slug;
  $('delete-confirm').value = '';
  setDeleteError('');
  updateDeleteButton();
  $('delete-dialog').showModal(); // modal: focus stays inside; Escape cancels; focus returns to the button
  $('delete-confirm').focus();
}

function setDeleteError(message) {
  $('delete-error').textContent = message || '';
  $('delete-error').hidden = !message;
}

/** Exactly the slug, nothing around it: the confirm button is the only way to send the DELETE. */
function updateDeleteButton() {
  const matches = deleting !== null && $('delete-confirm').value === deleting.slug;
  $('delete-submit').disabled = !matches;
  $('delete-confirm').setAttribute('aria-invalid', $('delete-confirm').value && !matches ? 'true' : 'false');
}

/** The identity headers a DELETE needs in both modes; in 'headers' mode the proxy adds them, so none here. */
function identityHeaders() {
  if (identityMode === 'headers') return {};
  const who = identity();
  // header values are bytes: the name goes percent-encoded (the service decodes it), so any Unicode name works
  return { 'X-Auth-User-Id': String(who.id), 'X-Auth-User': encodeURIComponent(who.username) };
}

async function confirmDelete(event) {
  event.preventDefault();
  const wiki = deleting;
  if (!wiki || $('delete-confirm').value !== wiki.slug) return;
  setDeleteError('');
  $('delete-submit').disabled = true;
  try {
    const result = await api('wikis/' + encodeURIComponent(wiki.slug), {
      method: 'DELETE',
      headers: { Accept: 'application/json', ...identityHeaders() },
    });
    if (result.status === 202 && result.body && result.body.task_id) {
      deleting = null;
      $('delete-dialog').close();
      attach(result.body.task_id, { scroll: true, kind: 'delete', slug: wiki.slug });
      history.replaceState(null, '', '#delete=' + result.body.task_id); // a reload reattaches
      refreshWikis(); // the wiki shows as being deleted
      return;
    }
    setDeleteError(errorOf(result).message); // once, here, in the dialog that asked
  } catch (e) {
    setDeleteError('The service could not be reached: ' + e.message);
  }
  updateDeleteButton();
  $('delete-confirm').focus();
}

// ---- wiring --------------------------------------------------------------------------------------------------------

/** '#task=<id>' follows a creation, '#delete=<id>' a deletion; a reload re-attaches to either. */
function taskFromHash() {
  const match = /^#(task|delete)=([0-9a-fA-F-]{1,64})$/.exec(location.hash);
  return match ? { id: match[2], kind: match[1] === 'delete' ? 'delete' : 'create' } : null;
}

document.addEventListener('DOMContentLoaded', async () => {
  loadIdentity();
  $('owner-id').addEventListener('change', saveIdentity);
  $('owner-name').addEventListener('change', saveIdentity);
  $('name').addEventListener('input', () => { setFieldError('name', ''); suggestSlug(); });
  $('slug').addEventListener('input', () => { slugEdited = $('slug').value !== ''; scheduleSlugCheck(); });
  $('language').addEventListener('input', () => setFieldError('language', ''));
  $('create-form').addEventListener('submit', submitForm);
  $('refresh').addEventListener('click', refreshWikis);
  window.addEventListener('hashchange', () => { const t = taskFromHash(); if (t) attach(t.id, { kind: t.kind }); });
  $('delete-confirm').addEventListener('input', updateDeleteButton);
  $('delete-form').addEventListener('submit', confirmDelete);
  $('delete-cancel').addEventListener('click', () => $('delete-dialog').close());
  await loadUiConfig(); // before the list: in headers mode the proxy's user is whose wikis to list
  refreshWikis();
  const task = taskFromHash();
  if (task) attach(task.id, { kind: task.kind });
});
