// Progressive enhancement only: every page works without this file (docs/console.md).
(function () {
  "use strict";

  function csrfOf(form) {
    var input = form.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function post(url, form, extra) {
    var data = new URLSearchParams(new FormData(form));
    Object.keys(extra || {}).forEach(function (key) { data.set(key, extra[key]); });
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: data,
      headers: { "Accept": "application/json" }
    }).then(function (answer) { return answer.ok ? answer.json() : null; });
  }

  // An error summary takes the focus, so that a keyboard or screen-reader user hears it first.
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) { summary.focus(); }

  // The page after an identity provider's redirect moves on by itself (a same-site navigation).
  var follow = document.querySelector("[data-follow-now]");
  if (follow) { window.location.assign(follow.getAttribute("href")); }

  // UPN check letter, as you type: asked of the server, which applies shared/identifiers.py.
  Array.prototype.forEach.call(document.querySelectorAll("[data-upn-check]"), function (input) {
    var status = document.getElementById(input.id + "-status");
    var form = input.form;
    var timer = null;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        if (!input.value.trim()) { status.textContent = ""; status.className = "upn-status"; return; }
        post(input.getAttribute("data-upn-check"), form, { upn: input.value }).then(function (result) {
          if (!result) { return; }
          status.textContent = result.message;
          status.className = "upn-status " + (result.valid ? "upn-ok" : "upn-bad");
        });
      }, 250);
    });
  });

  // The risk assessment: each tick shows at once what the guidance recommends, and why.
  Array.prototype.forEach.call(document.querySelectorAll("[data-preview]"), function (form) {
    var target = document.getElementById(form.getAttribute("data-preview-target"));
    function refresh() {
      post(form.getAttribute("data-preview"), form).then(function (result) {
        if (!result) { return; }
        var parts = ["<h3>" + escapeHtml(result.recommendation) + "</h3>"];
        if (!result.typology_chosen) {
          parts.push("<p>Choose the typology below: the recommendation may change with it.</p>");
        }
        if (result.violations.length) {
          parts.push("<p class=\"field-error\">This contradicts the record:</p><ul>" + result.violations.map(function (v) {
            return "<li><strong>" + escapeHtml(v.rule) + "</strong>: " + escapeHtml(v.message) + "</li>";
          }).join("") + "</ul>");
        }
        parts.push("<ul>" + result.reasons.map(function (r) { return "<li>" + escapeHtml(r) + "</li>"; }).join("") + "</ul>");
        parts.push("<dl class=\"summary-list\">" + result.guidance.map(function (g) {
          return "<div class=\"summary-row\"><dt>" + escapeHtml(g.rule) + "</dt><dd>" + escapeHtml(g.text) + "</dd></div>";
        }).join("") + "</dl>");
        target.innerHTML = parts.join("");
      });
    }
    form.addEventListener("change", refresh);
    target.hidden = false;
    refresh();
  });

  // The NCRS clock: time left to record a crime, counting down.
  function clockText(seconds) {
    var late = seconds < 0;
    var left = Math.abs(seconds);
    var hours = Math.floor(left / 3600);
    var minutes = Math.floor((left % 3600) / 60);
    var text = hours + " h " + (minutes < 10 ? "0" : "") + minutes + " min";
    return late ? "Overdue by " + text : text + " left";
  }
  var clocks = document.querySelectorAll("[data-deadline]");
  if (clocks.length) {
    var tick = function () {
      Array.prototype.forEach.call(clocks, function (clock) {
        var seconds = Math.round((Date.parse(clock.getAttribute("data-deadline")) - Date.now()) / 1000);
        clock.textContent = clockText(seconds);
        clock.classList.toggle("clock-late", seconds < 0);
      });
    };
    window.setInterval(tick, 30000);
  }

  // Print buttons (no inline script under the Content-Security-Policy).
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }
}());
