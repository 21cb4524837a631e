/* Keeps every open staff page current about urgent requests, without a reload.
 *
 * Every POLL seconds (data-poll-seconds, 20 by default) it asks the server how many
 * urgent requests are open and which is the newest, then updates the banner at the top
 * of the page and the tab title ("(2 urgent) ..."), so a new urgent request shows
 * within a minute on any page left open. On the request list it also reloads the list
 * when a new urgent request has arrived, but only if nothing has been typed, ticked or
 * chosen on the page: it never loses what someone is writing. Without JavaScript the
 * banner and the title are still right at every page load.
 */
(function () {
  "use strict";
  var banner = document.querySelector(".staff-urgent-count[data-status-url]");
  if (!banner || !window.fetch) { return; }
  var statusUrl = banner.getAttribute("data-status-url");
  var listUrl = banner.getAttribute("data-list-url");
  var poll = Math.max(5, parseInt(banner.getAttribute("data-poll-seconds"), 10) || 20);
  var newestAtLoad = parseInt(banner.getAttribute("data-newest"), 10) || 0;
  var baseTitle = document.title.replace(/^\(\d+ urgent\) /, "");
  var isQueue = document.body.classList.contains("change-list") &&
    document.body.classList.contains("model-contactrequest");

  function somethingTyped() {
    var fields = document.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "hidden" || field.type === "submit" || field.type === "button") { continue; }
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) { return true; }
      } else if (field.tagName === "SELECT") {
        for (var j = 0; j < field.options.length; j++) {
          if (field.options[j].selected !== field.options[j].defaultSelected) { return true; }
        }
      } else if (field.value !== field.defaultValue) {
        return true;
      }
    }
    return document.activeElement && /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
  }

  function show(count, newest) {
    document.title = (count ? "(" + count + " urgent) " : "") + baseTitle;
    banner.classList.toggle("staff-urgent-count--some", count > 0);
    while (banner.firstChild) { banner.removeChild(banner.firstChild); }
    if (!count) {
      banner.appendChild(document.createTextNode("No open urgent requests."));
      return;
    }
    var tag = document.createElement("strong");
    tag.className = "staff-tag staff-tag--urgent";
    tag.textContent = "Urgent";
    var link = document.createElement("a");
    link.href = listUrl;
    link.textContent = count + " open urgent request" + (count === 1 ? "" : "s");
    banner.appendChild(tag);
    banner.appendChild(document.createTextNode(" "));
    banner.appendChild(link);
    var rest = " waiting for a response.";
    if (newest > newestAtLoad) { rest += " A new one arrived since this page opened."; }
    banner.appendChild(document.createTextNode(rest));
  }

  function check() {
    fetch(statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) { return; }
        if (isQueue && status.newest > newestAtLoad && !somethingTyped()) {
          window.location.reload();
          return;
        }
        show(status.count, status.newest);
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }

  window.setInterval(check, poll * 1000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { check(); }
  });
})();
