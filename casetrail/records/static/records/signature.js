// Signature pads: draw with finger, pen or mouse; the PNG goes into the hidden input on submit.
// Shows only the inputs of the chosen method (drawn / scan / refused). A drawing sent with a
// submission the server refused comes back in the hidden input and is drawn again, so the party
// does not sign twice.
(function () {
  document.querySelectorAll(".signature").forEach(function (box) {
    var canvas = box.querySelector("canvas");
    var hidden = box.querySelector("input[type=hidden]");
    var ctx = canvas.getContext("2d");
    var drawing = false, dirty = false;
    ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
    if (hidden.value.indexOf("data:image/png;base64,") === 0) {
      var kept = new Image();
      kept.onload = function () { ctx.drawImage(kept, 0, 0, canvas.width, canvas.height); };
      kept.src = hidden.value;
      dirty = true;
    }
    function pos(e) {
      var r = canvas.getBoundingClientRect();
      return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
    }
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true; dirty = true; canvas.setPointerCapture(e.pointerId);
      var p = pos(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return; var p = pos(e); ctx.lineTo(p[0], p[1]); ctx.stroke();
    });
    canvas.addEventListener("pointerup", function () { drawing = false; });
    box.querySelector(".clear").addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); dirty = false; hidden.value = "";
    });
    function show() {
      var checked = box.querySelector("input[type=radio]:checked");
      var m = checked ? checked.value : "";
      box.querySelector(".pad").hidden = m !== "drawn";
      box.querySelector(".scan").hidden = m !== "scan";
      var refused = box.querySelector(".refused"); if (refused) refused.hidden = m !== "refused";
    }
    box.querySelectorAll("input[type=radio]").forEach(function (r) { r.addEventListener("change", show); });
    show();
    box.closest("form").addEventListener("submit", function () {
      if (dirty) hidden.value = canvas.toDataURL("image/png");
    });
  });
})();
