// Four small things the pages do with JavaScript; without it they work all
// the same (a <noscript> refresh, the server's "already sent", a page that
// shows its error at the form, a Find button).
//
// 1. A page that is waiting for something (a command to be processed, a
//    transfer to move on, the operations page) changes in place as soon as
//    the views show a change. The server marks such a page with
//    data-watch-url (/watch?..., which answers the page's token once) and
//    data-watch-token (the token the page shows). The script listens to the
//    same query at /events, a stream of server-sent events that sends the
//    token whenever it changes (see routes/events.rs). On a new token it
//    fetches the page again and puts its new <main> where the old one was:
//    no reload, and the new <main> carries the token to wait for next. A
//    browser without EventSource, or a server with no place for one more
//    stream, asks /watch every second instead.
//
// 2. A form that is being sent says so: its button is disabled and reads
//    "Sending…", so a second click does not send it again. (If it did, the
//    form's id would make the bank take it once and say "already sent".)
(function () {
  "use strict";

  function watchedMain() {
    var main = document.getElementById("main");
    return main && main.dataset.watchUrl ? main : null;
  }

  // Fetches this page again and swaps its <main> in. Resolves to the new
  // <main>, or null when the page is no longer waiting for anything.
  function refresh() {
    return fetch(window.location.href, { cache: "no-store", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("main");
        var main = document.getElementById("main");
        if (!fresh || !main) { window.location.reload(); return null; }
        // What someone is typing stays: a text field keeps its value, and
        // the one in use keeps the focus.
        var active = document.activeElement;
        var focused = active && active.id;
        var caret = active && typeof active.selectionStart === "number"
          ? [active.selectionStart, active.selectionEnd] : null;
        main.querySelectorAll("input[type=text], input[type=search]").forEach(function (input) {
          var twin = input.id && page.getElementById(input.id);
          if (twin && fresh.contains(twin) && input.value && !twin.value) {
            twin.setAttribute("value", input.value);
          }
        });
        main.replaceWith(fresh);
        var again = focused && document.getElementById(focused);
        if (again) {
          again.focus();
          if (caret && again.setSelectionRange) { again.setSelectionRange(caret[0], caret[1]); }
        }
        document.title = page.title;
        return watchedMain();
      });
  }

  var source = null;      // the EventSource, while listening to /events
  var polling = false;    // asking /watch every second instead
  var busy = false;       // a refresh is under way
  var latest = null;      // the last token the server sent

  // Called with each token the server sends: refreshes the page when the
  // token differs from the one the page shows.
  function seen(token) {
    latest = token;
    var main = watchedMain();
    if (!main) { stop(); return; }
    if (busy || token === main.dataset.watchToken) { return; }
    busy = true;
    refresh()
      .then(function (fresh) {
        busy = false;
        if (!fresh) { stop(); return; }
        // A page that now waits for something else listens for that.
        if (!polling && (!source || fresh.dataset.watchUrl !== source.watched)) {
          listen();
          return;
        }
        // A token that came during the refresh may be newer than the page.
        if (latest !== token) { seen(latest); }
      })
      .catch(function () { busy = false; });
  }

  function stop() {
    if (source) { source.close(); source = null; }
  }

  function listen() {
    stop();
    var main = watchedMain();
    if (!main) { return; }
    if (!window.EventSource) { poll(); return; }
    var url = main.dataset.watchUrl;
    source = new EventSource(url.replace("/watch", "/events"));
    source.watched = url;
    source.addEventListener("token", function (event) { seen(event.data); });
    source.onerror = function () {
      // The server ended the stream (it bounds how long one lasts) or went
      // away: EventSource reconnects by itself. If it gave up (the server
      // turned it away), ask now and then instead.
      if (source && source.readyState === EventSource.CLOSED) { stop(); poll(); }
    };
  }

  function poll() {
    if (polling) { return; }
    polling = true;
    (function ask() {
      var main = watchedMain();
      if (!main) { polling = false; return; }
      fetch(main.dataset.watchUrl, { cache: "no-store" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (token) { if (token) { seen(token); } })
        .catch(function () {})
        .then(function () { window.setTimeout(ask, 1000); });
    })();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.method || form.method.toLowerCase() !== "post") { return; }
    var button = form.querySelector("button");
    if (!button) { return; }
    // After this turn, so that the click that sent the form still counts.
    window.setTimeout(function () {
      button.disabled = true;
      button.dataset.label = button.textContent;
      button.textContent = "Sending…";
    }, 0);
  });
  // Back to a page from the browser's history: its buttons work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("button[data-label]").forEach(function (button) {
      button.disabled = false;
      button.textContent = button.dataset.label;
    });
  });

  // 3. A form refused with an error (422) is where the eye is: the page
  //    scrolls to the error and puts the cursor in the field to fix, on a
  //    phone too; and the address bar shows the page's own address, not
  //    the one the form posted to, so that reloading does not post again.
  function showTheError() {
    var error = document.querySelector(".field-error");
    if (!error) { return; }
    var form = error.closest("form");
    var field = (form && form.querySelector("[aria-invalid=true]")) || error;
    if (field === error) { error.setAttribute("tabindex", "-1"); }
    field.focus({ preventScroll: true });
    field.scrollIntoView({ block: "center" });
    var main = document.getElementById("main");
    var page = main && main.dataset.page;
    if (page && window.location.pathname !== page) {
      window.history.replaceState(null, "", page);
    }
  }

  // 4. Finding the account to pay: the list of accounts follows what is
  //    typed, a moment after the typing stops (the same search the Find
  //    button asks the server for, without leaving the page).
  var typing = null;
  document.addEventListener("input", function (event) {
    var find = event.target;
    if (find.id !== "transfer-find" || !find.form) { return; }
    window.clearTimeout(typing);
    typing = window.setTimeout(function () {
      var url = find.form.action.split("#")[0] + "?to=" + encodeURIComponent(find.value);
      fetch(url, { cache: "no-store" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) { return; }
          var page = new DOMParser().parseFromString(html, "text/html");
          var fresh = page.getElementById("transfer-to");
          var select = document.getElementById("transfer-to");
          if (fresh && select) { select.innerHTML = fresh.innerHTML; }
          var old = document.querySelector("[data-testid=destinations-found]");
          if (old) { old.remove(); }
          var found = page.querySelector("[data-testid=destinations-found]");
          if (found) { find.form.after(found); }
        })
        .catch(function () {});
    }, 250);
  });

  showTheError();
  listen();
})();
