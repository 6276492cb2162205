/* CaseTrail: a small tus 1.0 client for the upload page (no library, no CDN).
 * creation (POST), resume (HEAD → Upload-Offset), chunked PATCH with progress, speed and ETA,
 * retries with back-off after a dropped connection or a server restart, termination (DELETE).
 * The upload URL is kept in localStorage under the file's name + size + mtime, so choosing the
 * same file again (even after closing the browser) continues where it stopped. */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) return;
  var CHUNK = 8 * 1024 * 1024;
  var RETRY_DELAYS = [1000, 3000, 5000, 10000, 20000, 30000];
  var endpoint = form.dataset.endpoint;
  var statusBase = form.dataset.status;
  var maxSize = parseInt(form.dataset.maxSize, 10);
  var csrf = (form.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
  var $ = function (id) { return document.getElementById(id); };
  var state = { xhr: null, paused: false, url: null, file: null, key: null, started: 0, startOffset: 0 };

  function b64(text) {
    var bytes = new TextEncoder().encode(text), bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin);
  }
  function human(n) {
    var units = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return n.toFixed(i ? 1 : 0) + " " + units[i];
  }
  function say(text, bad) { var el = $("status"); el.textContent = text; el.className = bad ? "errorlist" : ""; }
  function request(method, url, headers, body, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      state.xhr = xhr;
      xhr.open(method, url, true);
      xhr.setRequestHeader("Tus-Resumable", "1.0.0");
      xhr.setRequestHeader("X-CSRFToken", csrf);
      Object.keys(headers || {}).forEach(function (k) { xhr.setRequestHeader(k, headers[k]); });
      if (onProgress) xhr.upload.onprogress = function (e) { onProgress(e.loaded); };
      xhr.onload = function () { resolve(xhr); };
      xhr.onerror = function () { reject(new Error("network")); };
      xhr.onabort = function () { reject(new Error("abort")); };
      xhr.send(body || null);
    });
  }
  function show(offset) {
    var size = state.file.size, pct = size ? Math.floor(offset * 100 / size) : 100;
    $("progress").value = pct; $("percent").textContent = pct + "%";
    $("bytes").textContent = human(offset) + " / " + human(size);
    var secs = (Date.now() - state.started) / 1000, sent = offset - state.startOffset;
    if (secs > 0.5 && sent > 0) {
      var rate = sent / secs;
      $("speed").textContent = human(rate) + "/s";
      $("eta").textContent = "剩余约 " + Math.ceil((size - offset) / rate) + " 秒";
    }
  }
  function metadata() {
    var meta = { filename: state.file.name, filetype: state.file.type || "application/octet-stream" };
    new FormData(form).forEach(function (v, k) {
      if (k !== "csrfmiddlewaretoken" && k !== "file" && typeof v === "string" && v !== "") meta[k] = v;
    });
    return Object.keys(meta).map(function (k) { return k + " " + b64(meta[k]); }).join(",");
  }
  function offsetOf(xhr) { return parseInt(xhr.getResponseHeader("Upload-Offset"), 10); }
  function wait(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  async function locate() {
    var saved = localStorage.getItem(state.key);
    if (saved) {
      var head = await request("HEAD", saved);
      if (head.status === 200) { state.url = saved; return offsetOf(head); }
      localStorage.removeItem(state.key);
    }
    var created = await request("POST", endpoint, {
      "Upload-Length": String(state.file.size), "Upload-Metadata": metadata()
    });
    if (created.status !== 201) throw new Error(errorText(created));
    state.url = created.getResponseHeader("Location");
    localStorage.setItem(state.key, state.url);
    return offsetOf(created) || 0;
  }
  function errorText(xhr) {
    try { return JSON.parse(xhr.responseText).message; } catch (e) { return "服务器返回 " + xhr.status; }
  }
  async function send(offset) {
    var attempt = 0;
    while (offset < state.file.size) {
      if (state.paused) return null;
      var end = Math.min(offset + CHUNK, state.file.size), xhr;
      try {
        xhr = await request("PATCH", state.url, {
          "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream"
        }, state.file.slice(offset, end), function (loaded) { show(offset + loaded); });
      } catch (err) {
        if (state.paused || err.message === "abort") return null;
        xhr = null;
      }
      if (xhr && xhr.status === 204) {
        offset = offsetOf(xhr); attempt = 0; show(offset);
        if (offset >= state.file.size) return xhr;
        continue;
      }
      if (xhr && xhr.status === 422) throw new Error(errorText(xhr));
      if (xhr && (xhr.status === 404 || xhr.status === 410)) { localStorage.removeItem(state.key); throw new Error("上传已失效，请重新选择文件上传"); }
      if (xhr && xhr.status >= 400 && xhr.status < 500 && [409, 423, 460].indexOf(xhr.status) < 0) throw new Error(errorText(xhr));
      // dropped connection, server restart, 409/423/460/5xx: wait, ask the server where we are, go on
      if (attempt >= RETRY_DELAYS.length) throw new Error("网络多次中断，请稍后重新选择该文件续传");
      say("连接中断，" + RETRY_DELAYS[attempt] / 1000 + " 秒后自动续传……");
      await wait(RETRY_DELAYS[attempt++]);
      try {
        var head = await request("HEAD", state.url);
        if (head.status === 200) { offset = offsetOf(head); if (offset >= state.file.size) return head; }
      } catch (e) { /* still down: next round */ }
      say("继续上传……");
    }
    return null;
  }
  async function finished(xhr) {
    localStorage.removeItem(state.key);
    var id = state.url.split("/").filter(Boolean).pop();
    var res = await fetch(statusBase + id + "/", { credentials: "same-origin" });
    var info = await res.json();
    $("pause").hidden = true; $("cancel").hidden = true;
    var el = $("status"); el.textContent = "";
    var a = document.createElement("a");
    if (info.state === "done" && info.item) {
      el.append("上传完成，已保存并登记。SHA-256 " + info.sha256.slice(0, 16) + "… ");
      a.href = "/evidence/" + info.item + "/"; a.textContent = "查看音像记录";
    } else if (info.state === "needs_details") {
      el.append("文件已完整保存，但还需补充信息：" + (info.error_message || "") + " ");
      a.href = info.complete_url; a.textContent = "补充信息";
    } else {
      el.append((info.error_message || "上传未完成") + " ");
      a.href = "/evidence/inbox/"; a.textContent = "我的待归案";
    }
    el.append(a);
  }
  async function run() {
    state.paused = false;
    $("pause").hidden = false; $("pause").textContent = "暂停"; $("cancel").hidden = false;
    $("progress-box").hidden = false; $("start").disabled = true;
    try {
      say("正在连接……");
      var offset = await locate();
      state.started = Date.now(); state.startOffset = offset;
      if (offset > 0) say("从 " + human(offset) + " 处续传"); else say("正在上传……");
      show(offset);
      var last = offset >= state.file.size ? await request("HEAD", state.url) : await send(offset);
      if (last) await finished(last);
    } catch (err) {
      say("上传失败：" + err.message, true);
    } finally {
      $("start").disabled = false;
    }
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var file = $("file").files[0];
    if (!file) { say("请选择文件", true); return; }
    if (file.size > maxSize) { say("文件超过允许的最大大小 " + human(maxSize), true); return; }
    state.file = file;
    state.key = "casetrail-tus:" + file.name + ":" + file.size + ":" + file.lastModified;
    run();
  });
  $("pause").addEventListener("click", function () {
    if (!state.paused) {
      state.paused = true; if (state.xhr) state.xhr.abort();
      $("pause").textContent = "继续"; say("已暂停，可随时继续（关闭页面后重新选择同一文件也可续传）");
    } else { run(); }
  });
  $("cancel").addEventListener("click", async function () {
    state.paused = true; if (state.xhr) state.xhr.abort();
    if (state.url) { await request("DELETE", state.url); localStorage.removeItem(state.key); }
    $("progress-box").hidden = true; $("pause").hidden = true; $("cancel").hidden = true;
    say("已取消上传");
  });
})();
