// Forms answered with errors: bring the first error into view and put the cursor in its field, so
// an error at the bottom of a long form is not missed (the server puts each error beside its field).
(function () {
  var first = document.querySelector("main .errorlist");
  if (!first) return;
  var holder = first.closest("div, p, .signature") || first;
  holder.scrollIntoView({ block: "center" });
  var input = holder.querySelector("input:not([type=hidden]), select, textarea");
  if (input) input.focus({ preventScroll: true });
})();

// Long pickers (records named by title, 文号 and date; recordings by kind, device, time and
// length): a search box above the list hides the options whose name does not contain what is typed.
(function () {
  document.querySelectorAll("main form select").forEach(function (select) {
    if (select.options.length <= 8) return;
    var box = document.createElement("input");
    box.type = "search";
    box.className = "picker-search";
    box.placeholder = "输入名称、文号或日期筛选";
    box.setAttribute("aria-label", "筛选选项");
    box.addEventListener("input", function () {
      var q = box.value.trim();
      Array.prototype.forEach.call(select.options, function (o) {
        o.hidden = q !== "" && o.text.indexOf(q) < 0 && !o.selected;
      });
    });
    select.parentNode.insertBefore(box, select);
  });
})();
