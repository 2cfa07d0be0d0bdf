// Behaviour of the web pages. Loaded as a file because the Content-Security-Policy allows
// no inline script. Works on top of htmx; every form also works without JavaScript.
(function () {
  "use strict";

  // Upload progress: htmx reports XHR upload progress on the form that sent it.
  function wireUpload() {
    var form = document.getElementById("upload-form");
    if (!form || form.dataset.wired) { return; }
    form.dataset.wired = "1";
    var bar = document.getElementById("upload-progress");
    form.addEventListener("htmx:xhr:progress", function (evt) {
      if (!bar || !evt.detail.lengthComputable) { return; }
      bar.hidden = false;
      bar.value = Math.round((evt.detail.loaded / evt.detail.total) * 100);
    });
    form.addEventListener("htmx:beforeRequest", function () {
      if (bar) { bar.hidden = false; bar.value = 0; }
    });
    form.addEventListener("htmx:afterRequest", function (evt) {
      if (bar) { bar.value = 100; }
      if (evt.detail.successful) { form.reset(); }
    });
  }

  // Preselect the browser's UTC offset in timeline forms.
  function wireOffsets() {
    var minutes = -new Date().getTimezoneOffset();
    var sign = minutes >= 0 ? "+" : "-";
    var abs = Math.abs(minutes);
    var text = sign + String(Math.floor(abs / 60)).padStart(2, "0") + ":" +
      String(abs % 60).padStart(2, "0");
    document.querySelectorAll("select.tz-select").forEach(function (select) {
      if (select.querySelector('option[value="' + text + '"]')) { select.value = text; }
    });
  }

  // Clear the ask box after a question was answered; show failures instead of nothing.
  function wireAsk() {
    var form = document.getElementById("ask-form");
    if (!form || form.dataset.wired) { return; }
    form.dataset.wired = "1";
    form.addEventListener("htmx:afterRequest", function (evt) {
      if (evt.detail.successful) { form.reset(); }
    });
  }

  // htmx swaps nothing on an error status; show the problem's detail in the target.
  document.addEventListener("htmx:responseError", function (evt) {
    var target = evt.detail.target;
    if (!target) { return; }
    var message = evt.detail.xhr.statusText || "Error";
    try {
      var problem = JSON.parse(evt.detail.xhr.responseText);
      if (problem && problem.detail) { message = problem.detail; }
    } catch (ignored) { /* an HTML error page: keep the status text */ }
    var p = document.createElement("p");
    p.className = "alert";
    p.textContent = message;
    target.prepend(p);
  });

  // Scroll the passage panel so the highlighted quote is in view, not the page.
  document.addEventListener("htmx:afterSwap", function (evt) {
    if (!evt.detail.target || evt.detail.target.id !== "passage") { return; }
    var panel = document.getElementById("passage-panel");
    var mark = evt.detail.target.querySelector("mark");
    if (panel && mark) {
      panel.scrollTop = Math.max(0, mark.offsetTop - panel.offsetTop - 80);
    }
  });

  function init() {
    wireUpload();
    wireOffsets();
    wireAsk();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
