// socialcx workspace: SLA countdowns, the reply's character count, select-all, and keyboard
// shortcuts. Optional: every page works without it. Vendored, no build step, nothing fetched.
(function () {
  "use strict";

  function span(minutes) {
    var m = Math.abs(minutes);
    if (m < 60) return m + "m";
    if (m < 2880) return Math.floor(m / 60) + "h" + String(m % 60).padStart(2, "0") + "m";
    return Math.floor(m / 1440) + "d";
  }

  // The server rendered each countdown against its clock; keep it moving from there.
  var loaded = Date.now();
  function tick() {
    document.querySelectorAll("[data-due]").forEach(function (cell) {
      if (cell.dataset.left === undefined) {
        var match = /^(in|overdue) (?:(\d+)d|(?:(\d+)h)?(\d+)m)$/.exec(cell.textContent.trim());
        if (!match) return;
        var minutes = match[2] ? match[2] * 1440 : (Number(match[3] || 0) * 60 + Number(match[4]));
        cell.dataset.left = String(match[1] === "in" ? minutes : -minutes);
      }
      var left = Number(cell.dataset.left) - Math.floor((Date.now() - loaded) / 60000);
      cell.textContent = (left < 0 ? "overdue " : "in ") + span(left);
      cell.classList.toggle("overdue", left < 0);
      cell.classList.toggle("soon", left >= 0 && left < 15);
    });
  }

  function count() {
    var text = document.getElementById("reply-text"), shown = document.getElementById("count");
    if (!text || !shown) return;
    var limit = Number(text.dataset.limit || 0), length = Array.from(text.value).length;
    shown.textContent = String(length);
    shown.parentElement.classList.toggle("over", limit > 0 && length > limit);
  }

  function rows() { return Array.from(document.querySelectorAll("tr.item")); }

  function move(step) {
    var all = rows(); if (!all.length) return;
    var at = all.findIndex(function (row) { return row.classList.contains("selected"); });
    var next = Math.max(0, Math.min(all.length - 1, at + step));
    if (at >= 0) all[at].classList.remove("selected");
    all[next].classList.add("selected");
    all[next].scrollIntoView({ block: "nearest" });
  }

  function click(id) { var button = document.getElementById(id); if (button) button.click(); }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) {
      if (event.key === "Escape") target.blur();
      return;
    }
    var selected = document.querySelector("tr.item.selected");
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "o": case "Enter": if (selected) window.location = selected.dataset.href; break;
      case "x": if (selected) { var box = selected.querySelector("input[type=checkbox]"); box.checked = !box.checked; } break;
      case "c": click("claim"); break;
      case "a": click("approve"); break;
      case "e": click("escalate"); break;
      case "r": var reply = document.getElementById("reply-text"); if (reply) { event.preventDefault(); reply.focus(); } break;
      case "u": window.location = "/inbox"; break;
      default: return;
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    tick(); setInterval(tick, 30000);
    var text = document.getElementById("reply-text");
    if (text) { text.addEventListener("input", count); count(); }
    var all = document.getElementById("all");
    if (all) all.addEventListener("change", function () {
      document.querySelectorAll("#bulk input[name=item]").forEach(function (box) { box.checked = all.checked; });
    });
  });
})();
