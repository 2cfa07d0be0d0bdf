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

  // The source passage opens as an overlay next to the quote that was clicked, inside the
  // viewport on any screen; Escape, the close button or a click elsewhere closes it.
  var lastOpener = null;
  function overlay() { return document.getElementById("passage-overlay"); }

  function closeOverlay() {
    var box = overlay();
    if (!box || box.hidden) { return; }
    box.hidden = true;
    if (lastOpener && lastOpener.focus) { lastOpener.focus(); }
  }

  function placeOverlay(box, opener) {
    var margin = 8;
    var gap = 6;
    var width = Math.min(520, window.innerWidth - 2 * margin);
    box.style.width = width + "px";
    var rect = opener ? opener.getBoundingClientRect() : { left: margin, right: margin,
      top: margin, bottom: margin };
    var below = window.innerHeight - rect.bottom - gap - margin;
    var above = rect.top - gap - margin;
    box.style.maxHeight = Math.floor(window.innerHeight * 0.6) + "px";
    var height = box.offsetHeight;
    var top;
    if (height <= below) {
      top = rect.bottom + gap;
    } else if (height <= above) {
      top = rect.top - gap - height;
    } else if (below >= above) {  // too tall for either side: shrink it to the larger one
      box.style.maxHeight = Math.max(120, below) + "px";
      top = rect.bottom + gap;
    } else {
      box.style.maxHeight = Math.max(120, above) + "px";
      top = rect.top - gap - box.offsetHeight;
    }
    top = Math.max(margin, Math.min(top, window.innerHeight - box.offsetHeight - margin));
    var left = Math.max(margin, Math.min(rect.left, window.innerWidth - width - margin));
    box.style.top = top + "px";
    box.style.left = left + "px";
  }

  document.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail.elt;
    if (elt && elt.getAttribute && elt.getAttribute("hx-target") === "#passage") {
      lastOpener = elt;
    }
  });

  document.addEventListener("htmx:afterSwap", function (evt) {
    if (!evt.detail.target || evt.detail.target.id !== "passage") { return; }
    var box = overlay();
    if (!box) { return; }
    box.hidden = false;
    placeOverlay(box, lastOpener);
    var mark = evt.detail.target.querySelector("mark");
    if (mark) {
      box.scrollTop = Math.max(0, mark.offsetTop - 60);
    }
    var close = document.getElementById("passage-close");
    if (close) { close.focus({ preventScroll: true }); }
  });

  document.addEventListener("keydown", function (evt) {
    if (evt.key === "Escape") { closeOverlay(); }
  });

  document.addEventListener("click", function (evt) {
    var box = overlay();
    if (!box || box.hidden) { return; }
    if (evt.target.closest && (evt.target.closest("#passage-overlay") ||
        evt.target.closest('[hx-target="#passage"]'))) {
      if (evt.target.id === "passage-close") { closeOverlay(); }
      return;
    }
    closeOverlay();
  });

  window.addEventListener("resize", function () {
    var box = overlay();
    if (box && !box.hidden) { placeOverlay(box, lastOpener); }
  });

  // A link to a section of the details (contents, "3 more under Risks", a summary point)
  // opens the collapsed section it points into.
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) { return; }
    var target = document.getElementById(id);
    var section = target && target.closest ? target.closest("details") : null;
    if (section && !section.open) {
      section.open = true;
      target.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", openTarget);

  function init() {
    wireUpload();
    wireOffsets();
    wireAsk();
    openTarget();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
