// Megabox web player: one bar over the page's <audio> elements (one per
// track, each playable on its own without this script). Play/pause, seek,
// previous/next, keyboard (Space, ←/→ to move 5 s, Shift+←/→ for the
// previous or next track) and the system's media controls. Every text it
// shows comes from the page (data-* attributes written by the server).
(function () {
  'use strict';
  var list = document.querySelector('[data-tracks]');
  var bar = document.querySelector('[data-player-bar]');
  if (!list || !bar) return;
  var items = Array.prototype.slice.call(list.querySelectorAll('li'));
  var tracks = items.map(function (li) {
    return { li: li, audio: li.querySelector('audio'), title: li.getAttribute('data-title') || '' };
  }).filter(function (t) { return t.audio; });
  if (!tracks.length) return;

  var toggleBtn = bar.querySelector('[data-act="toggle"]');
  var seek = bar.querySelector('[data-seek]');
  var now = bar.querySelector('[data-now]');
  var time = bar.querySelector('[data-time]');
  var labels = { play: toggleBtn.getAttribute('data-play'), pause: toggleBtn.getAttribute('data-pause'),
    preparing: time.getAttribute('data-preparing') || '' };
  var current = 0;
  var seeking = false;

  function fmt(s) {
    if (!isFinite(s) || s < 0) s = 0;
    s = Math.floor(s);
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }
  function audio() { return tracks[current].audio; }

  function select(i) {
    if (i === current) return;
    audio().pause();
    tracks[current].li.classList.remove('current');
    current = i;
    tracks[current].li.classList.add('current');
    show();
  }
  function play(i) {
    if (typeof i === 'number') select(i);
    var p = audio().play();
    if (p && p.catch) p.catch(function () { /* the browser refused: the button stays on Play */ });
  }
  function toggle() { if (audio().paused) play(); else audio().pause(); }
  function next() { if (current + 1 < tracks.length) play(current + 1); }
  function prev() {
    if (audio().currentTime > 3 || current === 0) { audio().currentTime = 0; return; }
    play(current - 1);
  }
  function move(by) {
    var a = audio();
    var end = isFinite(a.duration) ? a.duration : a.currentTime + by;
    a.currentTime = Math.max(0, Math.min(end, a.currentTime + by));
  }

  function show() {
    var a = audio();
    var playing = !a.paused && !a.ended;
    bar.classList.toggle('playing', playing);
    toggleBtn.setAttribute('aria-label', playing ? labels.pause : labels.play);
    now.textContent = tracks[current].title;
    var d = isFinite(a.duration) ? a.duration : 0;
    seek.max = String(d);
    if (!seeking) seek.value = String(a.currentTime);
    time.textContent = tracks[current].preparing ? labels.preparing : fmt(a.currentTime) + (d ? ' / ' + fmt(d) : '');
    tracks.forEach(function (t, i) {
      if (t.button) t.button.setAttribute('aria-pressed', String(i === current && playing));
    });
    session(a, playing);
  }

  function session(a, playing) {
    if (!('mediaSession' in navigator)) return;
    var ms = navigator.mediaSession;
    ms.playbackState = playing ? 'playing' : 'paused';
    if (typeof MediaMetadata === 'function' && (!ms.metadata || ms.metadata.title !== tracks[current].title)) {
      var art = list.getAttribute('data-artwork');
      ms.metadata = new MediaMetadata({
        title: tracks[current].title,
        artist: list.getAttribute('data-artist') || '',
        album: list.getAttribute('data-album') || '',
        artwork: art ? [{ src: new URL(art, location.href).href, sizes: '600x600' }] : []
      });
    }
    if (ms.setPositionState && isFinite(a.duration) && a.duration > 0) {
      try { ms.setPositionState({ duration: a.duration, position: Math.min(a.currentTime, a.duration), playbackRate: 1 }); } catch (e) { /* an old browser */ }
    }
  }

  function on(action, fn) {
    try { navigator.mediaSession.setActionHandler(action, fn); } catch (e) { /* not offered here */ }
  }
  if ('mediaSession' in navigator) {
    on('play', function () { play(); });
    on('pause', function () { audio().pause(); });
    on('previoustrack', prev);
    on('nexttrack', next);
    on('seekbackward', function () { move(-10); });
    on('seekforward', function () { move(10); });
    on('seekto', function (d) { if (typeof d.seekTime === 'number') audio().currentTime = d.seekTime; });
  }

  tracks.forEach(function (t, i) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'play-track';
    b.setAttribute('aria-label', labels.play + ': ' + t.title);
    b.setAttribute('aria-pressed', 'false');
    b.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M7 4v16l13-8z"/></svg>';
    b.addEventListener('click', function () { if (i === current) toggle(); else play(i); });
    t.li.querySelector('.pos').replaceWith(b);
    t.button = b;
    // One track at a time, whichever control started it.
    t.audio.addEventListener('play', function () {
      tracks.forEach(function (o, j) { if (j !== i) o.audio.pause(); });
      select(i);
      show();
    });
    ['pause', 'timeupdate', 'durationchange', 'loadedmetadata'].forEach(function (ev) {
      t.audio.addEventListener(ev, function () { if (i === current) show(); });
    });
    t.audio.addEventListener('ended', function () { if (i === current) { show(); next(); } });
    t.audio.addEventListener('error', function () { prepare(t, i); });
  });

  // A preview still being made (the MP3 of a lossless master) is answered
  // with 202 and when to ask again, which <audio> takes for an error: say
  // so, ask with HEAD (not counted as a listen) until it is there, then
  // load it once more and play it if it is still the track wanted.
  function prepare(t, i) {
    if (t.preparing || t.reloaded) return; // one reload: a file that fails again stays failed
    t.preparing = true;
    if (i === current) show();
    poll(t, i, 0);
  }
  function poll(t, i, n) {
    var src = t.audio.getAttribute('src');
    var done = function () { t.preparing = false; if (i === current) show(); };
    if (!src || !window.fetch) { done(); return; }
    fetch(src, { method: 'HEAD', credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
      if (r.status === 202 && n < 300) {
        var wait = Math.min(Math.max(parseInt(r.headers.get('Retry-After'), 10) || 2, 1), 30);
        setTimeout(function () { poll(t, i, n + 1); }, wait * 1000);
        return;
      }
      if (!r.ok) { done(); return; }
      t.preparing = false;
      t.reloaded = true;
      t.audio.load();
      if (i === current) play(i); else show();
    }).catch(done);
  }


  bar.addEventListener('click', function (e) {
    var b = e.target.closest('[data-act]');
    if (!b) return;
    ({ toggle: toggle, next: next, prev: prev })[b.getAttribute('data-act')]();
  });
  seek.addEventListener('input', function () { seeking = true; time.textContent = fmt(+seek.value); });
  seek.addEventListener('change', function () { audio().currentTime = +seek.value; seeking = false; show(); });

  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var tag = e.target.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || e.target.isContentEditable) return;
    if (e.key === ' ' || e.key === 'Spacebar') {
      if (tag === 'BUTTON' || tag === 'A') return; // Space presses what has focus
      e.preventDefault();
      toggle();
    } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      var fwd = e.key === 'ArrowRight';
      if (e.shiftKey) { if (fwd) next(); else prev(); } else move(fwd ? 5 : -5);
    }
  });

  document.body.classList.add('enhanced');
  tracks[0].li.classList.add('current');
  bar.hidden = false;
  show();
})();
