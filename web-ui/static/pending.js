// Refreshes a page that is waiting for something (a command to be processed,
// a transfer to move on) as soon as the views show a change.
//
// The server marks such a page with data-watch-url (what to ask) and
// data-watch-token (the answer when the page was rendered). This script asks
// every 300 ms and reloads the page when the answer differs. Without
// JavaScript, a <noscript> meta refresh reloads every two seconds instead, so
// every page works either way.
(function () {
  "use strict";
  var main = document.getElementById("main");
  if (!main || !main.dataset.watchUrl) {
    return;
  }
  var url = main.dataset.watchUrl;
  var token = main.dataset.watchToken;
  var attempts = 0;
  function check() {
    attempts += 1;
    fetch(url, { headers: { "Accept": "text/plain" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : token; })
      .then(function (current) {
        if (current !== token) {
          window.location.reload();
        } else {
          // Back off gently if nothing changes for a while.
          window.setTimeout(check, attempts < 100 ? 300 : 2000);
        }
      })
      .catch(function () { window.setTimeout(check, 2000); });
  }
  window.setTimeout(check, 300);
})();
