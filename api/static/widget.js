/*
 * 六安政务智能助手 — embeddable chat widget.
 * Embed with one tag:  <script src="https://<gateway>/widget.js" defer></script>
 * Optional attributes: data-api="<gateway base URL>" (default: where this script came from),
 *                      data-title="<panel title>".
 * It talks only to the gateway: POST /api/chat/session once for the resident's id (kept in localStorage),
 * POST /api/chat for the assistant, and the handoff stream (/api/handoff/stream, server-sent events) for
 * 12345 agent replies. An id the gateway refuses (403, e.g. one kept from an older version) is replaced.
 */
(function () {
  "use strict";
  if (window.__luanChatWidget) return; // embedded twice: keep one
  window.__luanChatWidget = true;

  var script = document.currentScript;
  var API = ((script && script.getAttribute("data-api")) || (script ? new URL(script.src).origin : location.origin)).replace(/\/$/, "");
  var TITLE = (script && script.getAttribute("data-title")) || "六安政务智能助手";
  var KEY = "luan-chat:";
  var MAX_HISTORY = 100;
  var WELCOME = {
    from: "bot",
    text: "您好！我是六安政务智能助手，可以为您解答办事指南、在线申请、投诉建议和办件进度查询等问题。请问有什么可以帮您？",
    buttons: [
      { title: "社保卡怎么办", payload: "社保卡怎么办" },
      { title: "查询办件进度", payload: "查询办件进度" },
      { title: "转人工客服", payload: "转人工" }
    ]
  };

  // ---- persistence (same resident across page reloads) --------------------------------------
  function load(name, fallback) {
    try {
      var raw = localStorage.getItem(KEY + name);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return fallback;
    }
  }
  function save(name, value) {
    try {
      localStorage.setItem(KEY + name, JSON.stringify(value));
    } catch (e) {
      /* private mode or full storage: the chat still works, only without history */
    }
  }
  var sender = load("sender", null);
  var history = load("history", []);
  var lastSeq = load("seq", 0);

  // ---- DOM (inside a shadow root so the host page's CSS cannot break it) ----------------------
  var host = document.createElement("div");
  host.id = "luan-chat-widget";
  document.body.appendChild(host);
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    "<style>" +
    ":host{all:initial}" +
    "*{box-sizing:border-box;font-family:'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif}" +
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;background:#b5121b;color:#fff;border:0;border-radius:28px;padding:14px 22px;font-size:16px;box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer}" +
    ".launcher:focus-visible,button:focus-visible,textarea:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}" +
    ".panel{position:fixed;right:20px;bottom:20px;z-index:2147483001;width:380px;height:600px;max-height:calc(100vh - 40px);display:flex;flex-direction:column;background:#fff;border-radius:10px;box-shadow:0 8px 30px rgba(0,0,0,.3);overflow:hidden;font-size:15px;color:#222}" +
    ".panel[hidden]{display:none}" +
    ".large .panel{font-size:19px}" +
    "header{display:flex;align-items:center;gap:6px;background:#b5121b;color:#fff;padding:10px 12px}" +
    "header h2{flex:1;margin:0;font-size:1.05em}" +
    "header button{background:transparent;color:#fff;border:1px solid rgba(255,255,255,.6);border-radius:4px;padding:4px 8px;font-size:.85em;cursor:pointer}" +
    "header button[aria-pressed=true]{background:#fff;color:#b5121b}" +
    ".status{background:#fff4d6;color:#6b4a00;padding:6px 12px;font-size:.85em}" +
    ".status[hidden]{display:none}" +
    ".log{flex:1;overflow-y:auto;padding:12px;background:#f5f6f8}" +
    ".msg{max-width:85%;margin:6px 0;padding:8px 11px;border-radius:8px;line-height:1.55;white-space:pre-wrap;word-break:break-word}" +
    ".msg.bot{background:#fff;border:1px solid #e1e4e8}" +
    ".msg.agent{background:#eaf3ff;border:1px solid #b9d4f5}" +
    ".msg.system{background:#fff8e6;border:1px solid #f0d9a0}" +
    ".msg.user{background:#b5121b;color:#fff;margin-left:auto}" +
    ".who{display:block;font-size:.78em;color:#555;margin-bottom:2px}" +
    ".buttons{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px}" +
    ".buttons button{background:#fff;color:#b5121b;border:1px solid #b5121b;border-radius:16px;padding:5px 12px;font-size:.9em;cursor:pointer}" +
    ".buttons button:disabled{color:#888;border-color:#ccc;cursor:default}" +
    ".typing{color:#555;font-size:.85em;padding:0 12px 6px;background:#f5f6f8}" +
    ".typing[hidden]{display:none}" +
    "form{display:flex;gap:8px;padding:10px;border-top:1px solid #e1e4e8;background:#fff}" +
    "textarea{flex:1;resize:none;border:1px solid #bbb;border-radius:6px;padding:8px;font-size:1em;height:44px}" +
    "form button{background:#b5121b;color:#fff;border:0;border-radius:6px;padding:0 16px;font-size:1em;cursor:pointer}" +
    "form .photo{background:#fff;color:#b5121b;border:1px solid #b5121b;padding:0 10px}" +
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}" +
    "@media (max-width:600px){.panel{right:0;bottom:0;width:100vw;height:100%;max-height:none;border-radius:0}.launcher{right:12px;bottom:12px}}" +
    "</style>" +
    "<div class='wrap'>" +
    "<button class='launcher' type='button' aria-haspopup='dialog' aria-expanded='false'>💬 在线咨询</button>" +
    "<section class='panel' role='dialog' aria-modal='false' aria-labelledby='luan-title' hidden>" +
    "<header><h2 id='luan-title'></h2>" +
    "<button type='button' class='big' aria-pressed='false' aria-label='大字模式'>大字</button>" +
    "<button type='button' class='close' aria-label='关闭对话窗口'>关闭</button></header>" +
    "<div class='status' role='status' hidden></div>" +
    "<div class='log' role='log' aria-live='polite' aria-label='对话记录' tabindex='0'></div>" +
    "<div class='typing' aria-live='polite' hidden>智能助手正在输入…</div>" +
    "<form><label class='sr' for='luan-input'>输入您的问题</label>" +
    "<textarea id='luan-input' placeholder='请输入您的问题，按回车发送' maxlength='1000'></textarea>" +
    "<button type='button' class='photo' aria-label='发送照片'>照片</button>" +
    "<input type='file' class='sr' accept='image/jpeg,image/png,image/webp' tabindex='-1' aria-hidden='true'>" +
    "<button type='submit' aria-label='发送消息'>发送</button></form>" +
    "</section></div>";

  var wrap = root.querySelector(".wrap");
  var launcher = root.querySelector(".launcher");
  var panel = root.querySelector(".panel");
  var log = root.querySelector(".log");
  var statusBar = root.querySelector(".status");
  var typing = root.querySelector(".typing");
  var form = root.querySelector("form");
  var input = root.querySelector("textarea");
  var bigButton = root.querySelector(".big");
  var photoButton = root.querySelector(".photo");
  var photoInput = root.querySelector("input[type=file]");
  root.querySelector("#luan-title").textContent = TITLE;

  // ---- rendering --------------------------------------------------------------------------
  var WHO = { bot: "智能助手", agent: "人工客服", system: "系统消息", user: "我" };

  function render(entry, index) {
    var bubble = document.createElement("div");
    bubble.className = "msg " + entry.from;
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = entry.from === "agent" && entry.agent ? "人工客服 " + entry.agent : WHO[entry.from] || "";
    bubble.appendChild(who);
    bubble.appendChild(document.createTextNode(entry.text));
    if (entry.buttons && entry.buttons.length) {
      var group = document.createElement("div");
      group.className = "buttons";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "可选回复");
      entry.buttons.forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = choice.title;
        button.disabled = !!entry.answered;
        button.addEventListener("click", function () {
          entry.answered = true;
          if (index !== undefined) save("history", history);
          Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) { b.disabled = true; });
          send(choice.payload, choice.shown || choice.title); // a resend shows (and reports) the original
        });
        group.appendChild(button);
      });
      bubble.appendChild(group);
    }
    log.appendChild(bubble);
    log.scrollTop = log.scrollHeight;
  }

  function add(entry) {
    history.push(entry);
    if (history.length > MAX_HISTORY) history = history.slice(-MAX_HISTORY);
    save("history", history);
    render(entry, history.length - 1);
  }

  function showStatus(text) {
    statusBar.textContent = text || "";
    statusBar.hidden = !text;
  }

  // ---- the resident's id, issued by the gateway -------------------------------------------------
  var issuing = null;

  function session() {
    if (sender) return Promise.resolve(sender);
    if (!issuing) {
      issuing = fetch(API + "/api/chat/session", { method: "POST" }).then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.message || "请求失败");
          sender = body.sender;
          save("sender", sender);
          lastSeq = 0; // a new id has a stream of its own
          save("seq", 0);
          return sender;
        });
      });
      issuing.then(function () { issuing = null; }, function () { issuing = null; });
    }
    return issuing;
  }

  // The id was refused (from an older version, or the gateway's key changed): forget it, then ask again.
  function renew() {
    sender = null;
    if (source) {
      source.close();
      source = null;
    }
    return session();
  }

  // A request that carries the id: refused once, it is retried with a new one.
  function withSender(request, renewed) {
    return session().then(function (id) {
      return request(id).then(function (response) {
        if (response.status !== 403 || renewed) return response;
        return response.clone().json().then(function (body) {
          if (body.detail !== "sender_not_issued") return response;
          // Renewed meanwhile (by the stream, or another request): take that one rather than a third.
          return (sender === id ? renew() : session()).then(function () { return withSender(request, true); });
        }, function () { return response; });
      });
    });
  }

  // ---- talking to the assistant ---------------------------------------------------------------
  var pending = false;

  function post(message, title, attempt) {
    return withSender(function (id) {
      var body = { sender: id, message: message };
      // A pressed button: agents read its title in the transcript, not the payload.
      if (title && title !== message) body.title = title;
      return fetch(API + "/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body)
      });
    }).then(function (response) {
      if (response.status >= 500 && attempt < 2) {
        return wait(1000 * (attempt + 1)).then(function () { return post(message, title, attempt + 1); });
      }
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.message || "请求失败");
        return body.messages || [];
      });
    }, function (error) {
      if (attempt < 2) return wait(1000 * (attempt + 1)).then(function () { return post(message, title, attempt + 1); });
      throw error;
    });
  }

  function wait(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function send(message, shown) {
    message = (message || "").trim();
    if (!message || pending) return;
    pending = true;
    add({ from: "user", text: shown || message });
    typing.hidden = false;
    post(message, shown, 0).then(function (messages) {
      showStatus("");
      messages.forEach(function (m) { add({ from: "bot", text: m.text || "", buttons: m.buttons }); });
    }).catch(function (error) {
      var text = error && error.message && !/fetch|network/i.test(error.message) ? error.message : "网络连接不稳定，消息没有发送成功。";
      add({ from: "system", text: text, buttons: [{ title: "重新发送", payload: message, shown: shown }] });
    }).then(function () {
      typing.hidden = true;
      pending = false;
      connect(); // the assistant may just have handed the conversation to an agent
    });
  }

  // A photo (for a community incident report): stored by the gateway, which then goes on with the conversation.
  function sendPhoto(file) {
    if (!file || pending) return;
    pending = true;
    add({ from: "user", text: "[照片] " + file.name });
    typing.hidden = false;
    withSender(function (id) {
      var body = new FormData();
      body.append("sender", id);
      body.append("file", file);
      return fetch(API + "/api/chat/photo", { method: "POST", body: body });
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) throw new Error(answer.message || "照片没有发送成功，请稍后再试。");
        answer.messages.forEach(function (m) { add({ from: "bot", text: m.text || "", buttons: m.buttons }); });
      });
    }).catch(function (error) {
      add({ from: "system", text: error && error.message && !/fetch|network/i.test(error.message) ? error.message : "网络连接不稳定，照片没有发送成功。" });
    }).then(function () {
      typing.hidden = true;
      pending = false;
      photoInput.value = "";
    });
  }

  // ---- agent replies (server-sent events, replayed from the last seen line on reconnect) -----
  var source = null;

  function connect() {
    if (source || panel.hidden) return;
    if (!sender) {
      session().then(connect, function () { showStatus("连接中断，正在重新连接…"); });
      return;
    }
    var stream = new EventSource(API + "/api/handoff/stream?sender=" + encodeURIComponent(sender) + "&after=" + lastSeq);
    source = stream;
    stream.addEventListener("open", function () { showStatus(""); });
    stream.addEventListener("line", function (event) {
      var line = JSON.parse(event.data);
      if (line.seq <= lastSeq) return;
      lastSeq = line.seq;
      save("seq", lastSeq);
      add({ from: line.role, text: line.text, agent: line.agent, buttons: line.buttons });
      if (panel.hidden) launcher.textContent = "💬 您有新消息";
    });
    stream.addEventListener("error", function () {
      // EventSource retries by itself; tell the resident while it does.
      showStatus(navigator.onLine === false ? "网络已断开，恢复后会自动重新连接…" : "连接中断，正在重新连接…");
      // Closed: the gateway refused the stream (EventSource gives up on any error status). If it refused the
      // id, get a new one; otherwise try again a little later.
      if (stream.readyState === EventSource.CLOSED && source === stream) {
        source = null;
        var id = sender;
        fetch(API + "/api/handoff/messages?sender=" + encodeURIComponent(id) + "&after=" + lastSeq).then(function (response) {
          if (response.status === 403 && sender === id) return renew().then(connect);
          return wait(5000).then(connect);
        }, function () { return wait(5000).then(connect); });
      }
    });
  }

  // ---- panel behaviour ----------------------------------------------------------------------
  function open() {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    launcher.textContent = "💬 在线咨询";
    save("open", true);
    if (!history.length) add(WELCOME);
    connect();
    input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    save("open", false);
    launcher.focus();
  }

  function setLarge(on) {
    wrap.classList.toggle("large", on);
    bigButton.setAttribute("aria-pressed", on ? "true" : "false");
    save("large", on);
  }

  launcher.addEventListener("click", open);
  root.querySelector(".close").addEventListener("click", close);
  bigButton.addEventListener("click", function () { setLarge(!wrap.classList.contains("large")); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
  });
  photoButton.addEventListener("click", function () { photoInput.click(); });
  photoInput.addEventListener("change", function () { sendPhoto(photoInput.files[0]); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  window.addEventListener("online", function () {
    if (source && source.readyState === EventSource.CLOSED) {
      source = null;
      connect();
    }
  });

  history.forEach(render);
  setLarge(!!load("large", false));
  if (load("open", false)) open();
})();
