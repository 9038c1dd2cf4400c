// Keyboard shortcuts for a fast pass through the review queue. No network, no eval:
// the Content-Security-Policy allows this file and nothing inline.
(function () {
  "use strict";
  var current = -1;

  function flags() { return Array.prototype.slice.call(document.querySelectorAll("article.flag[data-flag]")); }

  function select(index, quiet) {
    var all = flags();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (el, i) { el.classList.toggle("selected", i === current); });
    if (quiet) return; // a click inside the card keeps its own focus
    all[current].focus({ preventScroll: true });
    all[current].scrollIntoView({ block: "nearest" });
  }

  function decide(decision) {
    var flag = flags()[current];
    if (!flag) return;
    var button = flag.querySelector('button[name="decision"][value="' + decision + '"]');
    var form = flag.querySelector("form.decide");
    if (!button || !form) return;
    if (form.requestSubmit) form.requestSubmit(button); else button.click();
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") { event.target.blur(); }
      else if (event.key === "Enter" && event.target.name === "note") {
        event.preventDefault(); // Enter in a note does not decide: choose with c, d or n
        event.target.blur();
      }
      return;
    }
    if (!flags().length) return;
    var keys = { j: function () { select(current + 1); }, k: function () { select(current - 1); },
                 c: function () { decide("confirm"); }, d: function () { decide("dismiss"); },
                 n: function () { decide("not_person"); },
                 e: function () { var f = flags()[current]; if (f) f.querySelector('input[name="note"]').focus(); } };
    var action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    if (current < 0 && event.key !== "j" && event.key !== "k") select(0);
    action();
  });

  document.addEventListener("DOMContentLoaded", function () {
    var all = flags();
    if (!all.length) return;
    var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    var index = target ? all.indexOf(target) : 0;
    select(index < 0 ? 0 : index);
    all.forEach(function (el, i) { el.addEventListener("click", function () { select(i, true); }); });
  });
})();
