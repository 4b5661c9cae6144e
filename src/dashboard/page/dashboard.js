// The live integrations dashboard: polls GET /admin/api/dashboard every 2 s with the admin token the person gave
// (kept in sessionStorage for this tab only) and draws every system's tile and the charts. Data is always put in
// the page with textContent, never as HTML: reasons and payloads come from external systems.
'use strict';

(function () {
  var TOKEN_KEY = 'plugboard-admin-token';
  var FOLLOW_KEY = 'plugboard-replayed-jobs';
  var POLL_MS = 2000;
  var COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

  var range = 'hour';
  var charts = {};
  var timer = null;
  var shadowAvailable = true;
  var lastShadowCheck = 0;
  /** Reads of the shadow API overlap (the poll and a switch): only the latest one started may draw the table. */
  var shadowReads = 0;
  var shadowShown = '';

  var $ = function (id) { return document.getElementById(id); };

  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  function followed() {
    try { return JSON.parse(sessionStorage.getItem(FOLLOW_KEY) || '[]'); } catch (e) { return []; }
  }

  function follow(id) {
    var ids = followed().filter(function (known) { return known !== id; });
    ids.unshift(id);
    sessionStorage.setItem(FOLLOW_KEY, JSON.stringify(ids.slice(0, 20)));
  }

  /** A JSON call to the admin API with the bearer token; a 401 asks for the token again. */
  function api(method, url, body) {
    var init = { method: method, headers: { authorization: 'Bearer ' + token() } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (response) {
      if (response.status === 401) {
        askForToken('The admin token was refused. Enter it again.');
        throw new Error('unauthorised');
      }
      return response.json().catch(function () { return {}; }).then(function (json) {
        return { status: response.status, ok: response.ok, body: json };
      });
    });
  }

  function askForToken(problem) {
    sessionStorage.removeItem(TOKEN_KEY);
    if (timer) clearTimeout(timer);
    timer = null;
    $('dashboard').hidden = true;
    $('sign-out').hidden = true;
    $('token-form').hidden = false;
    $('status').textContent = 'Waiting for the admin token…';
    $('token-problem').hidden = !problem;
    $('token-problem').textContent = problem || '';
    $('token').focus();
  }

  function start() {
    $('token-form').hidden = true;
    $('dashboard').hidden = false;
    $('sign-out').hidden = false;
    poll();
  }

  function poll() {
    if (timer) clearTimeout(timer);
    var ids = followed();
    var url = '/admin/api/dashboard' + (ids.length ? '?follow=' + encodeURIComponent(ids.join(',')) : '');
    api('GET', url)
      .then(function (answer) {
        if (!answer.ok) throw new Error((answer.body.error && answer.body.error.message) || 'HTTP ' + answer.status);
        render(answer.body);
        $('status').textContent = 'Live: updated ' + new Date(answer.body.generatedAt).toLocaleTimeString() + ', every 2 s';
        return pollShadow();
      })
      .catch(function (error) {
        if (error.message !== 'unauthorised') $('status').textContent = 'Could not update: ' + error.message + ' (retrying)';
      })
      .then(function () {
        if (token()) timer = setTimeout(poll, POLL_MS);
      });
  }

  // ---- rendering helpers -------------------------------------------------------------------------------------

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (name === 'text') node.textContent = attributes[name];
      else if (name === 'className') node.className = attributes[name];
      else node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function percent(share) { return share === null || share === undefined ? '—' : (100 * share).toFixed(share >= 0.9995 || share === 0 ? 0 : 1) + '%'; }
  function ms(value) { return value === null || value === undefined ? '—' : value < 10 ? value.toFixed(1) + ' ms' : Math.round(value) + ' ms'; }
  function perMinute(value) { return value < 10 ? value.toFixed(1) : String(Math.round(value)); }
  function when(iso) { return new Date(iso).toLocaleTimeString(); }

  function figure(label, value, field) {
    return el('div', {}, [el('dt', { text: label }), el('dd', { text: value, 'data-field': field })]);
  }

  function list(items, empty, render) {
    if (!items.length) return el('p', { className: 'none', text: empty });
    return el('ul', {}, items.map(render));
  }

  function tile(system) {
    var live = system.live;
    var queue = system.queue;
    var node = el('article', { className: 'tile', 'data-system': system.name, 'data-state': system.state }, [
      el('h3', {}, [el('span', { text: system.name }), el('span', { className: 'badge', 'data-state': system.state, 'data-field': 'state', text: system.state })]),
      el('p', { className: 'kind', text: system.kind }),
      el('p', { className: 'reason', 'data-field': 'reason', text: system.stateReason }),
      el('dl', { className: 'figures' }, [
        figure('uptime (day)', percent(system.uptime), 'uptime'),
        figure('error rate', percent(live.errorRate), 'error-rate'),
        figure('calls / min', perMinute(live.callsPerMinute), 'calls-per-minute'),
        figure('p50', ms(live.p50Ms), 'p50'),
        figure('p95', ms(live.p95Ms), 'p95'),
        figure('queued / dead', String(queue.pending + queue.running + queue.failed) + ' / ' + queue.dead, 'queue'),
      ]),
      el('h4', { text: 'Breakers' }),
      list(system.breakers, 'none yet (no call made)', function (breaker) {
        return el('li', { className: 'breaker-' + breaker.state, 'data-breaker': breaker.operation, text: breaker.operation + ': ' + breaker.state });
      }),
      el('h4', { text: 'Outbox' }),
      el('p', { 'data-field': 'queue-states', text: 'pending ' + queue.pending + ' · running ' + queue.running + ' · failed ' + queue.failed + ' · dead ' + queue.dead }),
      el('h4', { text: 'Dead letters' }),
      list(system.deadLetters, 'none', function (job) {
        var button = el('button', { type: 'button', 'data-replay': job.id, text: 'Replay' });
        button.addEventListener('click', function () { replay(job.id, button); });
        return el('li', { className: 'dead', 'data-job': job.id }, [
          el('span', { text: job.operation + ' ' + job.entity + ' ' + job.entityId + ' after ' + job.attempts + ' attempts: ' + (job.lastError || '') + ' ' }),
          button,
        ]);
      }),
      el('h4', { text: 'Alerts' }),
      list(system.alerts, 'none', function (alert) { return el('li', { 'data-alert': alert.kind, text: when(alert.createdAt) + ' ' + alert.message }); }),
      el('h4', { text: 'Last bad payload' }),
      system.lastBadPayload
        ? el('div', { className: 'bad-payload', 'data-field': 'bad-payload' }, [
            el('p', { text: when(system.lastBadPayload.at) + ', ' + system.lastBadPayload.operation + ': ' + system.lastBadPayload.reason }),
            system.lastBadPayload.excerpt ? el('pre', { text: system.lastBadPayload.excerpt }) : null,
          ])
        : el('p', { className: 'none', text: 'none in the last day' }),
      el('h4', { text: 'Drift' }),
      el('p', { 'data-field': 'drift', text: system.drift.open + ' open, ' + system.drift.seenToday + ' seen today' }),
    ].concat(maintenance(system.maintenance)));
    return node;
  }

  function limitText(limit) { return limit ? limit.requests + ' per ' + limit.perSeconds + ' s' : '—'; }

  // The maintenance autopilot: the vendor's contract, the credentials' expiry, the rate limit the vendor announces.
  function maintenance(part) {
    var drift = part.contractDrift;
    var rate = part.rateLimit;
    return [
      el('h4', { text: 'Contract drift' }),
      el('p', { 'data-field': 'contract-drift', text: drift.total + ' recorded, ' + drift.newToday + ' new today' }),
      list(drift.latest, 'none', function (row) {
        return el('li', { 'data-drift-field': row.field, text: row.operation + ' ' + row.field + ': ' + row.change + ' (' + row.source + ')' });
      }),
      el('h4', { text: 'Credentials' }),
      list(part.credentials, 'no expiry known', function (credential) {
        return el('li', { className: credential.daysLeft <= 7 ? 'expiring' : '', 'data-credential': credential.credential,
          text: credential.credential + ': expires ' + new Date(credential.expiresAt).toLocaleDateString() + ' (' + credential.daysLeft + ' days left)' });
      }),
      el('h4', { text: 'Rate limit' }),
      rate
        ? el('p', { 'data-field': 'rate-limit', text: 'declared ' + limitText(rate.declared) + ' · vendor ' + limitText(rate.announced) + ' · followed ' + limitText(rate.followed) +
            (rate.remaining === null ? '' : ' · ' + rate.remaining + ' left') })
        : el('p', { className: 'none', text: 'the vendor announces none' }),
    ];
  }

  function render(snapshot) {
    $('live-window').textContent = String(snapshot.liveWindowMinutes);
    var tiles = $('tiles');
    tiles.replaceChildren.apply(tiles, snapshot.systems.map(tile));
    renderFollowed(snapshot.followed);
    renderCharts(snapshot);
  }

  function renderFollowed(jobs) {
    $('replays').hidden = jobs.length === 0;
    var holder = $('replayed');
    holder.replaceChildren.apply(holder, jobs.map(function (job) {
      return el('li', { 'data-job': job.id, 'data-job-state': job.state, text: job.system + ' ' + job.operation + ' ' + job.entityId + ' (job ' + job.id + '): ' + job.state + (job.lastError ? ', last error: ' + job.lastError : '') });
    }));
  }

  // ---- actions -------------------------------------------------------------------------------------------------

  function replay(id, button) {
    button.disabled = true;
    button.textContent = 'Replaying…';
    api('POST', '/admin/api/outbox/' + encodeURIComponent(id) + '/replay')
      .then(function (answer) {
        if (answer.ok) {
          follow(id);
          $('status').textContent = 'Replayed job ' + id + ': it is ' + answer.body.job.state + ' again.';
        } else {
          $('status').textContent = 'Replay refused: ' + ((answer.body.error && answer.body.error.message) || 'HTTP ' + answer.status);
        }
        poll();
      })
      .catch(function (error) { $('status').textContent = 'Replay failed: ' + error.message; });
  }

  function pollShadow() {
    // An absent shadow API is asked again now and then, not every 2 s.
    if (!shadowAvailable && Date.now() - lastShadowCheck < 30000) return Promise.resolve();
    lastShadowCheck = Date.now();
    var read = ++shadowReads;
    return api('GET', '/admin/api/shadow').then(function (answer) {
      if (read !== shadowReads) return;
      shadowAvailable = answer.status !== 404;
      if (answer.status === 404) {
        showShadowMessage('Shadow mode is not available on this gateway: GET /admin/api/shadow answered 404.');
        return;
      }
      if (!answer.ok) {
        showShadowMessage('Shadow mode could not be read: ' + ((answer.body.error && answer.body.error.message) || 'HTTP ' + answer.status));
        return;
      }
      renderShadow(answer.body.entities || []);
    }, function (error) {
      if (error.message !== 'unauthorised') showShadowMessage('Shadow mode could not be read: ' + error.message);
    });
  }

  function showShadowMessage(text) {
    shadowShown = '';
    $('shadow-message').textContent = text;
    $('shadow-table').hidden = true;
  }

  function renderShadow(entities) {
    // Redrawn only when something changed, so that a button is not replaced under the pointer.
    var shown = JSON.stringify(entities);
    if (shown === shadowShown) return;
    shadowShown = shown;
    $('shadow-message').textContent = entities.length ? 'Per entity: writes go to the new path and the legacy system while shadow mode is on.' : 'No entity is set up for shadow mode.';
    $('shadow-table').hidden = entities.length === 0;
    var body = $('shadow-table').tBodies[0];
    body.replaceChildren.apply(body, entities.map(function (entity) {
      var button = el('button', { type: 'button', 'data-shadow-toggle': entity.entity, text: entity.shadow ? 'Turn off' : 'Turn on' });
      // After the cutover the legacy system gets no more writes: there is nothing to shadow.
      if (entity.cutover) button.disabled = true;
      button.addEventListener('click', function () { switchShadow(entity.entity, !entity.shadow, button); });
      return el('tr', { 'data-entity': entity.entity }, [
        el('td', { text: entity.entity }),
        el('td', { text: String(entity.owner) }),
        el('td', { 'data-field': 'shadow', text: entity.shadow ? 'on' : 'off' }),
        el('td', { text: entity.cleanDays + ' of ' + entity.requiredCleanDays }),
        el('td', { 'data-field': 'cutover', text: cutoverText(entity.cutover) }),
        el('td', {}, [button]),
      ]);
    }));
  }

  function cutoverText(cutover) {
    if (!cutover) return 'not yet';
    if (typeof cutover === 'string') return cutover;
    return 'cut over ' + new Date(cutover.at).toLocaleString() + (cutover.actor ? ' by ' + cutover.actor : '');
  }

  function switchShadow(entity, on, button) {
    button.disabled = true;
    api('POST', '/admin/api/shadow/' + encodeURIComponent(entity), { shadow: on })
      .then(function (answer) {
        $('status').textContent = answer.ok
          ? 'Shadow mode for ' + entity + ' is ' + (on ? 'on' : 'off') + '.'
          : 'Shadow mode not switched: ' + ((answer.body.error && answer.body.error.message) || 'HTTP ' + answer.status);
        lastShadowCheck = 0;
        // Drawn again even when refused, so that the button comes back.
        shadowShown = '';
        return pollShadow();
      })
      .catch(function (error) { $('status').textContent = 'Shadow mode not switched: ' + error.message; });
  }

  // ---- charts ----------------------------------------------------------------------------------------------------

  function label(startMs, bucketMs) {
    var date = new Date(startMs);
    var time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    return bucketMs >= 3600000 ? date.toLocaleDateString() + ' ' + time : time;
  }

  function chartFor(id, title) {
    if (charts[id]) return charts[id];
    if (typeof Chart === 'undefined') return null;
    charts[id] = new Chart($(id), {
      type: 'line',
      data: { labels: [], datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', intersect: false },
        scales: { y: { beginAtZero: true, title: { display: true, text: title } } },
        elements: { point: { radius: 2 }, line: { borderWidth: 2, tension: 0.2 } },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
      },
    });
    return charts[id];
  }

  function draw(id, title, series, names, pick) {
    var chart = chartFor(id, title);
    if (!chart) return;
    chart.data.labels = series.buckets.map(function (start) { return label(start, series.bucketMs); });
    chart.data.datasets = names.map(function (name, index) {
      return { label: name, data: pick(series.systems[name]), borderColor: COLOURS[index % COLOURS.length], backgroundColor: COLOURS[index % COLOURS.length], spanGaps: true };
    });
    chart.update('none');
  }

  var lastSnapshot = null;

  function renderCharts(snapshot) {
    lastSnapshot = snapshot;
    var series = snapshot.charts[range];
    var names = snapshot.systems.map(function (system) { return system.name; });
    draw('chart-calls', 'calls per ' + (series.bucketMs / 60000) + ' min', series, names, function (s) { return s.calls; });
    draw('chart-errors', 'failed calls', series, names, function (s) { return s.errors; });
    draw('chart-latency', 'ms', series, names, function (s) { return s.p95Ms; });
  }

  // ---- start -----------------------------------------------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', function () {
    $('token-form').addEventListener('submit', function (event) {
      event.preventDefault();
      var given = $('token').value.trim();
      if (!given) return;
      sessionStorage.setItem(TOKEN_KEY, given);
      $('token').value = '';
      start();
    });
    $('sign-out').addEventListener('click', function () { askForToken(''); });
    Array.prototype.forEach.call(document.querySelectorAll('[data-range]'), function (button) {
      button.addEventListener('click', function () {
        range = button.getAttribute('data-range');
        Array.prototype.forEach.call(document.querySelectorAll('[data-range]'), function (other) {
          other.setAttribute('aria-pressed', String(other === button));
        });
        if (lastSnapshot) renderCharts(lastSnapshot);
      });
    });
    if (token()) start();
    else askForToken('');
  });
})();
