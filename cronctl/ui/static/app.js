// cronctl ui: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  var pollS = parseFloat(document.body.getAttribute("data-poll-s") || "10");

  // Confirm before a change (run now, pause, delete).
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { ev.preventDefault(); }
  });

  // Live updates: a [data-poll] element is fetched again every pollS seconds while visible.
  function poll(el) {
    var url = el.getAttribute("data-poll");
    setInterval(function () {
      if (document.hidden) { return; }
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html !== null && html !== el.innerHTML) { el.innerHTML = html; }
        })
        .catch(function () {});
    }, pollS * 1000);
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-poll]"), poll);

  // A part of the page that is slow to read ([data-load]) is fetched once, after the rest.
  Array.prototype.forEach.call(document.querySelectorAll("[data-load]"), function (el) {
    fetch(el.getAttribute("data-load"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { el.innerHTML = html; } })
      .catch(function () {});
  });

  // A run started with "Run now": ask for its outcome until it lands.
  var box = document.querySelector("[data-outcome]");
  if (box) {
    var url = box.getAttribute("data-outcome");
    var ask = function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (d) {
          box.textContent = d.text;
          if (d.done) { box.className = "outcome done-" + d.state; box.setAttribute("data-state", d.state); }
          else { setTimeout(ask, 1000); }
        })
        .catch(function () { setTimeout(ask, 3000); });
    };
    ask();
  }
})();
