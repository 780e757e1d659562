// The console works without this file; it adds conveniences only:
// auto-refresh, select-all checkboxes and a confirmation on bulk actions.
(function () {
  "use strict";
  var key = "logiwaflow.autorefresh." + location.pathname;
  document.querySelectorAll("[data-autorefresh]").forEach(function (box) {
    var seconds = Number(box.getAttribute("data-autorefresh")) || 5;
    var saved = sessionStorage.getItem(key);
    if (saved !== null) { box.checked = saved === "1"; }
    var timer = null;
    function arm() {
      clearTimeout(timer);
      if (box.checked) { timer = setTimeout(function () { location.reload(); }, seconds * 1000); }
    }
    box.addEventListener("change", function () { sessionStorage.setItem(key, box.checked ? "1" : "0"); arm(); });
    arm();
  });
  // A running execution's page follows it until it ends.
  if (document.querySelector("[data-running]")) {
    setTimeout(function () { location.reload(); }, 2000);
  }
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    var name = all.getAttribute("data-select-all");
    all.addEventListener("change", function () {
      document.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (b) { b.checked = all.checked; });
    });
  });
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (ev) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
})();
