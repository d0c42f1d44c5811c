/*
 * 网格员工作台 (/grid): a grid officer's own queue of community incidents (SQ) on a phone. Log in, accept,
 * write a progress note with an optional photo, resolve with the result. Every step is told to the resident
 * by the gateway (api/routes/incidents.py); this page only calls /api/grid/… with its own login token.
 */
(function () {
  "use strict";

  var TOKEN_KEY = "luan-grid:token";
  var token = sessionStorage.getItem(TOKEN_KEY);
  var $ = function (id) { return document.getElementById(id); };
  var UPDATE_KINDS = { accept: "接单", progress: "进展", resolve: "办结", reopen: "群众不满意，申请重办" };

  function say(text) { $("status").textContent = text || ""; }
  function fail(text) { $("error").textContent = text || ""; }

  function request(path, options) {
    options = options || {};
    var headers = options.headers || {};
    if (token) headers.Authorization = "Bearer " + token;
    options.headers = headers;
    return fetch(path, options).then(function (response) {
      if (response.status === 401 && path !== "/api/auth/login") {
        signOut();
        throw new Error("登录已失效，请重新登录");
      }
      if (!response.ok) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          throw new Error(body.message || "操作失败，请稍后再试");
        });
      }
      return response;
    });
  }

  function json(path, body) {
    return request(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (response) { return response.json(); });
  }

  function time(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return (d.getMonth() + 1) + "月" + d.getDate() + "日 " + String(d.getHours()).padStart(2, "0") + ":" +
      String(d.getMinutes()).padStart(2, "0");
  }

  // ---- login -----------------------------------------------------------------------------------------
  function signOut() {
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    $("work").hidden = true;
    $("logout").hidden = true;
    $("login").hidden = false;
    $("who").textContent = "";
  }

  $("login").addEventListener("submit", function (event) {
    event.preventDefault();
    fail("");
    token = null;
    json("/api/auth/login", { username: $("username").value.trim(), password: $("password").value })
      .then(function (body) {
        token = body.access_token;
        sessionStorage.setItem(TOKEN_KEY, token);
        $("password").value = "";
        return start();
      })
      .catch(function (error) { fail(error.message); });
  });

  $("logout").addEventListener("click", signOut);
  $("refresh").addEventListener("click", function () { load(); });
  $("show-closed").addEventListener("change", function () { load(); });

  function start() {
    return request("/api/grid/me").then(function (response) { return response.json(); }).then(function (me) {
      $("login").hidden = true;
      $("work").hidden = false;
      $("logout").hidden = false;
      $("who").textContent = me.display_name;
      return load();
    }).catch(function (error) {
      signOut();
      fail(error.message);
    });
  }

  // ---- queue -----------------------------------------------------------------------------------------
  // `done`: what the officer just did, shown instead of the count once the queue is fresh.
  function load(done) {
    fail("");
    say("正在加载……");
    var open = $("show-closed").checked ? "false" : "true";
    return request("/api/grid/incidents?open=" + open).then(function (response) { return response.json(); })
      .then(function (items) {
        var list = $("queue");
        list.textContent = "";
        items.forEach(function (item) { list.appendChild(render(item)); });
        if (!items.length) {
          var empty = document.createElement("li");
          empty.className = "empty";
          empty.textContent = "暂无待处理的事件";
          list.appendChild(empty);
        }
        say(done || "共" + items.length + "件");
      })
      .catch(function (error) { say(""); fail(error.message); });
  }

  function showPhoto(box, photoId) {
    request("/api/grid/photos/" + encodeURIComponent(photoId)).then(function (response) { return response.blob(); })
      .then(function (blob) {
        var img = document.createElement("img");
        img.alt = "现场照片";
        img.src = URL.createObjectURL(blob);
        box.appendChild(img);
      })
      .catch(function () { /* a missing photo leaves no gap in the card */ });
  }

  function render(item) {
    var node = $("incident-template").content.firstElementChild.cloneNode(true);
    node.querySelector(".number").textContent = item.number;
    var badge = node.querySelector(".badge");
    badge.textContent = item.status_text;
    var late = !item.accepted_at && item.deadline && new Date(item.deadline) < new Date();
    if (late) {
      badge.classList.add("late");
      badge.textContent = item.status_text + "（已超时）";
    }
    node.querySelector(".kind-place").textContent = item.incident_kind + " · " + item.place;
    node.querySelector(".description").textContent = item.description;
    var contact = [item.contact_name, item.contact_phone].filter(Boolean).join(" ");
    node.querySelector(".meta").textContent = "上报：" + time(item.created_at) +
      (item.accepted_at ? "" : "　响应期限：" + time(item.deadline)) + (contact ? "　联系人：" + contact : "");
    item.photo_ids.forEach(function (id) { showPhoto(node.querySelector(".photos"), id); });
    var updates = node.querySelector(".updates");
    item.updates.forEach(function (update) {
      var li = document.createElement("li");
      li.textContent = time(update.at) + " " + UPDATE_KINDS[update.kind] + (update.note ? "：" + update.note : "") +
        (update.photo_id ? "（附照片）" : "");
      updates.appendChild(li);
      if (update.photo_id) showPhoto(node.querySelector(".photos"), update.photo_id);
    });
    actions(node.querySelector(".actions"), item);
    return node;
  }

  function button(text, className, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    if (className) b.className = className;
    b.addEventListener("click", onClick);
    return b;
  }

  function actions(box, item) {
    var path = "/api/grid/incidents/" + encodeURIComponent(item.number);
    if (item.status === "assigned" || item.status === "reported") {
      box.appendChild(button("接单", "", function () {
        json(path + "/accept").then(function () { return load(item.number + " 已接单，已通知居民"); })
          .catch(function (error) { fail(error.message); });
      }));
      return;
    }
    if (item.status !== "accepted" && item.status !== "in_progress") {
      if (item.result_note) box.appendChild(document.createTextNode("处理结果：" + item.result_note));
      return;
    }
    var id = "note-" + item.number;
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = "进展或处理结果（居民会收到）";
    var note = document.createElement("textarea");
    note.id = id;
    note.maxLength = 1000;
    var photoLabel = document.createElement("label");
    photoLabel.htmlFor = "photo-" + item.number;
    photoLabel.textContent = "现场照片（可选）";
    var photo = document.createElement("input");
    photo.type = "file";
    photo.accept = "image/jpeg,image/png,image/webp";
    photo.id = "photo-" + item.number;
    var row = document.createElement("div");
    row.className = "row";

    function send(step, done) {
      fail("");
      if (!note.value.trim()) { fail("请先填写进展或处理结果"); note.focus(); return; }
      var upload = Promise.resolve(null);
      if (photo.files.length) {
        var form = new FormData();
        form.append("file", photo.files[0]);
        upload = request("/api/grid/photos", { method: "POST", body: form })
          .then(function (response) { return response.json(); })
          .then(function (body) { return body.photo_id; });
      }
      upload.then(function (photoId) {
        return json(path + "/" + step, { note: note.value.trim(), photo_id: photoId });
      }).then(function () { return load(item.number + done); })
        .catch(function (error) { fail(error.message); });
    }

    row.appendChild(button("更新进展", "", function () { send("updates", " 进展已更新，已通知居民"); }));
    row.appendChild(button("办结", "done", function () { send("resolve", " 已办结，已请居民评价"); }));
    [label, note, photoLabel, photo, row].forEach(function (n) { box.appendChild(n); });
  }

  if (token) start();
})();
