/*
 * A stand-in for the Special:WikiFarm UI (SPEC §4.5), in plain JS: exactly the calls the extension's Vue client
 * makes, and the state it derives from them. window.clientState exposes that state to the test.
 *
 * - GET /provisioner/v1/wikis/public -> wikis[]; GET /provisioner/v1/users/{own id}/wikis -> wikis[]
 * - every request, GET included, sends Content-Type: application/json and cookies (same-origin)
 * - debounced GET /provisioner/v1/wikis/slug/{slug}/exists -> exists (own looser check ^[a-z0-9-]{3,120}$)
 * - POST /provisioner/v1/wikis with only {name, slug, visibility} -> 202 task_id
 * - new EventSource('/provisioner/v1/tasks/<id>/events'), listeners for progress, status and message; counts
 *   the distinct phases among the eight it knows as its own bar (completed/8); on status reads status and
 *   message and closes
 * - links: domain (with the page's scheme), else slug + '.' + baseDomain
 */
(function () {
  'use strict';

  var API = '/provisioner/v1';
  var PHASES = ['dir_copy', 'render_ini', 'db_provision', 'oauth', 'docker_install', 'docker_index_cfg',
    'flip_bootstrap', 'index'];
  var SLUG_CHECK = /^[a-z0-9-]{3,120}$/;
  var DEBOUNCE_MS = 300;

  var mw = JSON.parse(document.getElementById('mw-config').textContent);

  var state = window.clientState = {
    userId: mw.wgUserId,
    userName: mw.wgUserName,
    publicSlugs: null,
    mySlugs: null,
    myWikis: null,
    links: {},
    listLoads: 0,
    slugChecks: [],
    created: null,
    taskId: null,
    opens: 0,
    reconnects: 0,
    phasesSeen: [],
    completed: 0,
    progress: 0,
    events: [],
    eventIds: [],
    status: null,
    message: null,
    closed: false,
    errors: []
  };

  function $(id) {
    return document.getElementById(id);
  }

  function fail(what) {
    state.errors.push(String(what));
  }

  /** fetch as the extension does it: JSON content type on every request, cookies, JSON answers. */
  function api(method, path, body) {
    var init = {
      method: method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' }
    };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
    }
    return fetch(API + path, init).then(function (response) {
      return response.text().then(function (text) {
        var json = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch (e) {
          json = null;
        }
        return { status: response.status, json: json, text: text };
      });
    });
  }

  function errorMessage(result) {
    return result.json && result.json.error && result.json.error.message
      ? result.json.error.message : 'HTTP ' + result.status + ' ' + result.text;
  }

  function link(wiki) {
    return location.protocol + '//' + (wiki.domain ? wiki.domain : wiki.slug + '.' + mw.baseDomain) + '/';
  }

  function render(listId, wikis) {
    var ul = $(listId);
    ul.textContent = '';
    wikis.forEach(function (w) {
      var li = document.createElement('li');
      li.setAttribute('data-slug', w.slug);
      var a = document.createElement('a');
      a.href = link(w);
      a.textContent = w.name;
      li.appendChild(a);
      li.appendChild(document.createTextNode(' (' + w.slug + ', ' + w.visibility + ', ' + w.status + ')'));
      ul.appendChild(li);
      state.links[w.slug] = a.href;
    });
  }

  function loadLists() {
    var publicList = api('GET', '/wikis/public').then(function (r) {
      if (r.status !== 200) {
        throw new Error('public list: ' + errorMessage(r));
      }
      state.publicSlugs = r.json.wikis.map(function (w) { return w.slug; });
      render('public-list', r.json.wikis);
    });
    var myList = api('GET', '/users/' + encodeURIComponent(mw.wgUserId) + '/wikis').then(function (r) {
      if (r.status !== 200) {
        throw new Error('my list: ' + errorMessage(r));
      }
      state.mySlugs = r.json.wikis.map(function (w) { return w.slug; });
      state.myWikis = r.json.wikis.map(function (w) {
        return { slug: w.slug, name: w.name, status: w.status, visibility: w.visibility,
          owner_user_id: w.owner_user_id, owner_username: w.owner_username, language: w.language };
      });
      render('my-list', r.json.wikis);
    });
    return Promise.all([publicList, myList]).then(function () {
      state.listLoads++;
    }, fail);
  }

  // ---- the debounced slug check ----------------------------------------------------------------------------

  var slugTimer = null;

  function showSlugCheck(text, isError) {
    var span = $('slug-check');
    span.textContent = text;
    span.className = isError ? 'error' : '';
  }

  function checkSlug(slug) {
    if (!SLUG_CHECK.test(slug)) {
      showSlugCheck('3-120 characters: a-z, 0-9 and -', true);
      return;
    }
    api('GET', '/wikis/slug/' + encodeURIComponent(slug) + '/exists').then(function (r) {
      var check = { slug: slug, status: r.status };
      if (r.status === 200) {
        check.exists = r.json.exists;
        check.reason = r.json.reason || null;
      } else {
        check.message = errorMessage(r);
      }
      state.slugChecks.push(check);
      if ($('slug').value !== slug) {
        return; // typed on meanwhile: a newer check follows
      }
      if (r.status !== 200) {
        showSlugCheck(check.message, true);
      } else if (check.exists) {
        showSlugCheck('not available (' + (check.reason || 'taken') + ')', true);
      } else {
        showSlugCheck('available', false);
      }
    }, fail);
  }

  $('slug').addEventListener('input', function () {
    clearTimeout(slugTimer);
    var slug = $('slug').value;
    slugTimer = setTimeout(function () { checkSlug(slug); }, DEBOUNCE_MS);
  });

  // ---- create and follow -----------------------------------------------------------------------------------

  $('create').addEventListener('submit', function (e) {
    e.preventDefault();
    $('form-error').textContent = '';
    var body = { name: $('name').value, slug: $('slug').value, visibility: $('visibility').value };
    api('POST', '/wikis', body).then(function (r) {
      state.created = { status: r.status, taskId: r.json && r.json.task_id ? r.json.task_id : null };
      if (r.status !== 202) {
        state.created.error = errorMessage(r);
        $('form-error').textContent = state.created.error;
        return;
      }
      follow(r.json.task_id);
    }, fail);
  });

  function follow(taskId) {
    state.taskId = taskId;
    $('task').hidden = false;
    $('task-id').textContent = taskId;
    var source = new EventSource(API + '/tasks/' + encodeURIComponent(taskId) + '/events');

    source.onopen = function () {
      state.opens++;
      $('connection').textContent = 'open (connection ' + state.opens + ')';
    };
    source.onerror = function () {
      if (state.closed) {
        return;
      }
      if (source.readyState === EventSource.CLOSED) {
        // EventSource gives up for good (a non-200 answer, a wrong content type): the page would freeze here
        fail('EventSource closed by the browser after ' + state.events.length + ' events');
        $('connection').textContent = 'lost';
      } else {
        state.reconnects++;
        $('connection').textContent = 'reconnecting (' + state.reconnects + ')';
      }
    };

    function record(e) {
      var data = null;
      try {
        data = JSON.parse(e.data);
      } catch (err) {
        fail('event data is not JSON: ' + e.data);
      }
      state.eventIds.push(e.lastEventId);
      state.events.push({ type: e.type, id: e.lastEventId, conn: state.opens,
        phase: data && data.phase !== undefined ? data.phase : null,
        status: data ? data.status : null, progress: data ? data.progress : null });
      var line = '[connection ' + state.opens + '] ' + (e.lastEventId || '-') + ' ' + e.type + ' ' + e.data + '\n';
      $('events').textContent += line;
      return data;
    }

    function onProgress(e) {
      var data = record(e);
      if (!data) {
        return;
      }
      if (PHASES.indexOf(data.phase) >= 0 && state.phasesSeen.indexOf(data.phase) < 0) {
        state.phasesSeen.push(data.phase);
        state.completed = state.phasesSeen.length;
        $('phase-count').textContent = state.completed + '/' + PHASES.length;
        $('phase-bar').value = state.completed;
      }
      if (typeof data.progress === 'number') {
        state.progress = data.progress;
        $('percent').textContent = data.progress;
        $('percent-bar').value = data.progress;
      }
    }

    source.addEventListener('progress', onProgress);
    source.addEventListener('message', onProgress); // unnamed events, should the service ever send them
    source.addEventListener('status', function (e) {
      var data = record(e);
      source.close();
      state.closed = true;
      $('connection').textContent = 'closed after ' + state.opens + ' connection(s), ' + state.reconnects
        + ' automatic reconnect(s), ' + state.events.length + ' events';
      if (!data) {
        return;
      }
      state.status = data.status;
      state.message = data.message;
      if (typeof data.progress === 'number') {
        state.progress = data.progress;
        $('percent').textContent = data.progress;
        $('percent-bar').value = data.progress;
      }
      var status = $('status');
      status.className = data.status;
      status.textContent = data.status + ': ' + data.message;
      loadLists();
    });
  }

  $('user-name').textContent = mw.wgUserName;
  $('user-id').textContent = mw.wgUserId;
  loadLists();
}());
