/*
 * 12345 agent console: queue of handed-off conversations and open tickets, the conversation view with
 * suggested answers, replying, dispatching, resolving and handing back to the assistant.
 * Live updates come from /api/staff/handoff/events (server-sent events read with fetch, because
 * EventSource cannot send the Authorization header and the token must not travel in the URL).
 */
(function () {
  "use strict";
  var el = window.LuanDom.el; // dom.js

  var TOKEN_KEY = "luan-console:token";
  var STATE_TEXT = { waiting: "等待接入", agent: "处理中" };
  var ROLE_TEXT = { resident: "居民", bot: "智能助手", agent: "坐席", system: "系统" };
  var CHANNEL_TEXT = { web: "网站", wechat: "微信", hotline: "电话", api: "接口", rasa: "助手" };
  var CARD_TEXT = { yellow: "黄牌", red: "红牌" };
  var KIND_TEXT = { complaint: "投诉", ticket: "工单" };

  var $ = function (id) { return document.getElementById(id); };
  var token = sessionStorage.getItem(TOKEN_KEY);
  var current = null; // {kind: "conversation", id: sender} or {kind: "ticket", id: number}
  var categories = null;
  var fetchedAt = Date.now();
  var streamAbort = null;

  // ---- API -----------------------------------------------------------------------------------
  function api(path, options) {
    options = options || {};
    var headers = { Authorization: "Bearer " + token };
    if (options.body) headers["Content-Type"] = "application/json";
    return fetch(path, { method: options.method || "GET", headers: headers, body: options.body ? JSON.stringify(options.body) : undefined })
      .then(function (response) {
        if (response.status === 401) {
          logout("登录已失效，请重新登录");
          throw new Error("unauthorized");
        }
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.message || "操作失败");
          return body;
        });
      });
  }

  // Agents' corrections of the router as a TSV of training examples (supervisors; the server refuses others).
  $("export-corrections").addEventListener("click", function () {
    fetch("/api/staff/routing/corrections.tsv", { headers: { Authorization: "Bearer " + token } }).then(function (response) {
      if (!response.ok) return response.json().then(function (body) { throw new Error(body.message || "导出失败"); });
      return response.blob().then(function (blob) {
        var link = el("a");
        link.href = URL.createObjectURL(blob);
        link.download = "routing-corrections.tsv";
        link.click();
        URL.revokeObjectURL(link.href);
      });
    }).catch(function (error) { showNote(error.message); });
  });

  // ---- login -----------------------------------------------------------------------------------
  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("login-error").textContent = "";
    fetch("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: $("username").value, password: $("password").value })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.message || "登录失败");
        token = body.access_token;
        sessionStorage.setItem(TOKEN_KEY, token);
        start(body.display_name);
      });
    }).catch(function (error) { $("login-error").textContent = error.message; });
  });

  function logout(message) {
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    if (streamAbort) streamAbort.abort();
    $("desk").hidden = true;
    $("login").hidden = false;
    $("logout").hidden = true;
    $("who").textContent = "";
    $("login-error").textContent = message || "";
  }
  $("logout").addEventListener("click", function () { logout(""); });

  function start(displayName) {
    $("login").hidden = true;
    $("desk").hidden = false;
    $("logout").hidden = false;
    $("who").textContent = displayName ? "坐席：" + displayName : "";
    api("/api/staff/me").then(function (me) {
      var supervisor = me.role === "supervisor" || me.role === "admin";
      // A department's agent sees its department's cases only (api/case_access.py): say whose.
      if (me.department && !supervisor) $("who").textContent = "坐席：" + me.display_name + "（" + me.department + "）";
      $("export-corrections").hidden = !supervisor;
      $("analytics-link").hidden = !supervisor;
    }).catch(function () { /* the button and the link stay hidden */ });
    refreshQueue();
    listen();
  }

  // ---- formatting --------------------------------------------------------------------------------
  function age(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    if (seconds < 3600) return Math.floor(seconds / 60) + "分" + (seconds % 60) + "秒";
    if (seconds < 86400) return Math.floor(seconds / 3600) + "小时" + Math.floor((seconds % 3600) / 60) + "分";
    return Math.floor(seconds / 86400) + "天" + Math.floor((seconds % 86400) / 3600) + "小时";
  }
  function badge(card) {
    return CARD_TEXT[card] ? el("span", "badge " + card, CARD_TEXT[card]) : null;
  }

  // ---- queue -----------------------------------------------------------------------------------
  function item(list, key, active, card, title, detail, seconds, onOpen) {
    var li = el("li", "card-" + card + (active ? " active" : ""));
    li.tabIndex = 0;
    li.dataset.key = key;
    li.dataset.age = seconds;
    var line1 = el("div", "line1");
    line1.appendChild(el("span", "", title));
    var right = el("span", "");
    var b = badge(card);
    if (b) right.appendChild(b);
    right.appendChild(el("span", "age", " " + age(seconds)));
    line1.appendChild(right);
    li.appendChild(line1);
    li.appendChild(el("div", "line2", detail));
    li.addEventListener("click", onOpen);
    li.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); onOpen(); }
    });
    list.appendChild(li);
  }

  function refreshQueue() {
    return api("/api/staff/handoff/queue").then(function (queue) {
      fetchedAt = Date.now();
      var conversations = $("conversations");
      var tickets = $("tickets");
      conversations.textContent = "";
      tickets.textContent = "";
      queue.conversations.forEach(function (c) {
        var title = (c.ticket || "会话") + " · " + (STATE_TEXT[c.state] || c.state);
        var detail = (CHANNEL_TEXT[c.channel] || c.channel) + (c.last_message ? "：" + c.last_message : "：（居民尚未发言）");
        var active = current && current.kind === "conversation" && current.id === c.sender;
        item(conversations, c.sender, active, c.card, title, detail, c.age_seconds, function () { openConversation(c.sender); });
      });
      queue.tickets.forEach(function (t) {
        var title = t.number + " · " + t.status_text;
        var detail = (t.department ? t.department + "：" : "") + t.summary;
        var active = current && current.kind === "ticket" && current.id === t.number;
        item(tickets, t.number, active, t.card, title, detail, t.age_seconds, function () { openTicket(t.number); });
      });
      $("conv-count").textContent = "（" + queue.conversations.length + "）";
      $("ticket-count").textContent = "（" + queue.tickets.length + "）";
      if (!queue.conversations.length) conversations.appendChild(el("li", "", "暂无等待中的会话"));
      return refreshTriage();
    }).catch(function () { /* shown by the live status or the login screen */ });
  }

  function percent(score) { return Math.round(score * 100) + "%"; }

  // 待分拨: cases the router was not sure about, waiting for an agent to choose the department.
  function refreshTriage() {
    return api("/api/staff/triage?limit=50").then(function (page) {
      var list = $("triage");
      list.textContent = "";
      page.items.forEach(function (c) {
        var title = c.number + " · " + (KIND_TEXT[c.kind] || c.kind);
        var guess = c.category ? "建议 " + c.category + (c.routing_confidence !== null ? "（" + percent(c.routing_confidence) + "）" : "") + "：" : "";
        var seconds = (Date.now() - Date.parse(c.created_at)) / 1000;
        var active = current && current.id === c.number;
        item(list, c.number, active, c.card, title, guess + c.text, seconds, function () { openTicket(c.number); });
      });
      $("triage-count").textContent = "（" + page.total + "）";
      if (!page.items.length) list.appendChild(el("li", "", "暂无待分拨事项"));
    });
  }

  setInterval(function () {
    // Ages tick locally between refreshes.
    var elapsed = (Date.now() - fetchedAt) / 1000;
    Array.prototype.forEach.call(document.querySelectorAll(".items li[data-age]"), function (li) {
      var node = li.querySelector(".age");
      if (node) node.textContent = " " + age(Number(li.dataset.age) + elapsed);
    });
  }, 1000);

  // ---- conversation view -------------------------------------------------------------------------
  function transcriptLines(list, ticket, lines) {
    list.textContent = "";
    var earlier = (ticket && ticket.transcript) || [];
    earlier.concat(lines).forEach(function (line) {
      var li = el("li", line.role);
      li.appendChild(el("span", "role", (ROLE_TEXT[line.role] || line.role) + (line.agent ? " " + line.agent : "")));
      li.appendChild(document.createTextNode(line.text));
      list.appendChild(li);
    });
    list.scrollTop = list.scrollHeight;
  }

  function suggestionList(list, suggestions, textarea) {
    list.textContent = "";
    if (!suggestions.hits.length) {
      list.appendChild(el("li", "", "暂无参考答案"));
      return;
    }
    suggestions.hits.forEach(function (hit) {
      var li = el("li");
      li.appendChild(el("div", "service", hit.service + "（" + hit.department + "）"));
      li.appendChild(el("div", "answer", hit.answer));
      var insert = el("button", "secondary insert", "插入回复框");
      insert.type = "button";
      insert.setAttribute("aria-label", "插入参考答案：" + hit.service);
      insert.addEventListener("click", function () {
        textarea.value = textarea.value ? textarea.value + "\n" + hit.answer : hit.answer;
        textarea.focus();
      });
      li.appendChild(insert);
      list.appendChild(li);
    });
    if (!suggestions.confident) list.insertBefore(el("li", "", "提示：匹配度不高，请核实后使用。"), list.firstChild);
  }

  function openConversation(sender, keepDraft) {
    return api("/api/staff/handoff/conversations/" + encodeURIComponent(sender)).then(function (data) {
      var view = $("view");
      var existing = view.querySelector(".conv[data-sender]");
      var same = keepDraft && existing && existing.dataset.sender === sender;
      if (!same) {
        view.textContent = "";
        view.appendChild(document.getElementById("conversation-template").content.cloneNode(true));
        view.querySelector(".conv").dataset.sender = sender;
        wireConversation(view, sender, data.ticket);
      }
      current = { kind: "conversation", id: sender };
      var c = data.conversation;
      view.querySelector(".title").textContent = "工单 " + (c.ticket || "—");
      view.querySelector(".meta").textContent =
        (CHANNEL_TEXT[c.channel] || c.channel) + " · " + (STATE_TEXT[c.state] || c.state) + " · 已等待 " + age(c.age_seconds);
      transcriptLines(view.querySelector(".transcript"), data.ticket, data.lines);
      suggestionList(view.querySelector(".suggestions"), data.suggestions, view.querySelector("#reply-text"));
      highlight();
    }).catch(function (error) {
      if (error.message !== "unauthorized") showNote(error.message);
    });
  }

  function wireConversation(view, sender, ticket) {
    var textarea = view.querySelector("#reply-text");
    var path = "/api/staff/handoff/conversations/" + encodeURIComponent(sender);
    var form = view.querySelector(".reply");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = textarea.value.trim();
      if (!text) return;
      api(path + "/reply", { method: "POST", body: { text: text } }).then(function () {
        textarea.value = "";
        openConversation(sender, true);
      }).catch(function (error) { showNote(error.message); });
    });
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    });
    view.querySelector(".resolve").addEventListener("click", function () {
      // The conversation is leaving the queue: a live update arriving meanwhile must not reopen it.
      current = null;
      api(path + "/resolve", { method: "POST" }).then(function () {
        showNote("工单已办结，已邀请居民评价。");
        refreshQueue();
      }).catch(function (error) { showNote(error.message); });
    });
    view.querySelector(".release").addEventListener("click", function () {
      // The conversation is leaving the queue: a live update arriving meanwhile must not reopen it.
      current = null;
      api(path + "/release", { method: "POST" }).then(function () {
        showNote("会话已转回智能助手，工单仍保持未办结。");
        refreshQueue();
      }).catch(function (error) { showNote(error.message); });
    });
    if (ticket) dispatchForm(view.querySelector(".dispatch"), ticket);
  }

  function showNote(text) {
    var view = $("view");
    view.textContent = "";
    view.appendChild(el("p", "empty", text));
    current = null;
    highlight();
  }

  // ---- ticket view and dispatch ------------------------------------------------------------------
  function openTicket(number) {
    return api("/api/staff/cases/" + encodeURIComponent(number)).then(function (ticket) {
      current = { kind: "ticket", id: number };
      var view = $("view");
      view.textContent = "";
      var head = el("div", "conv-head");
      head.appendChild(el("h2", "title", (KIND_TEXT[ticket.kind] || "事项") + " " + ticket.number));
      head.appendChild(el("span", "meta", ticket.status_text + (ticket.department ? " · " + ticket.department : "") +
        (ticket.category ? " · " + ticket.category : "") + (ticket.place ? " · 地点 " + ticket.place : "") + (ticket.contact_phone ? " · 联系电话 " + ticket.contact_phone : "")));
      view.appendChild(head);
      view.appendChild(el("p", "", ticket.summary || ticket.description || ""));
      if (ticket.transcript && ticket.transcript.length) {
        var list = el("ol", "transcript");
        list.setAttribute("aria-label", "对话记录");
        view.appendChild(list);
        transcriptLines(list, ticket, []);
      }
      view.appendChild(el("h3", "", "派单"));
      var form = el("form", "dispatch");
      view.appendChild(form);
      dispatchForm(form, ticket);
      if (ticket.summary || ticket.description) similarCases(view, ticket.number);
      document.dispatchEvent(new CustomEvent("console:case", { detail: { view: view, "case": ticket } }));
      highlight();
    }).catch(function (error) {
      if (error.message !== "unauthorized") showNote(error.message);
    });
  }

  // 相似工单: the earlier cases closest in meaning, with how they were classified and how they ended.
  function similarCases(view, number) {
    view.appendChild(el("h3", "", "相似工单"));
    var list = el("ul", "similar");
    list.setAttribute("aria-label", "相似工单");
    list.appendChild(el("li", "", "正在查找…"));
    view.appendChild(list);
    api("/api/staff/cases/" + encodeURIComponent(number) + "/similar").then(function (rows) {
      list.textContent = "";
      if (!rows.length) list.appendChild(el("li", "", "暂无相似工单"));
      rows.forEach(function (row) {
        var li = el("li");
        var open = el("button", "secondary", row.number);
        open.type = "button";
        open.setAttribute("aria-label", "打开相似工单 " + row.number);
        open.addEventListener("click", function () { openTicket(row.number); });
        li.appendChild(open);
        li.appendChild(el("span", "meta", " " + [row.category, row.subcategory, row.department, row.status_text]
          .filter(Boolean).join(" · ") + "（相似度 " + percent(row.score) + "）"));
        li.appendChild(el("div", "answer", row.text));
        list.appendChild(li);
      });
    }).catch(function (error) {
      list.textContent = "";
      list.appendChild(el("li", "", error.message === "unauthorized" ? "" : error.message));
    });
  }

  function options(select, names, selected) {
    select.textContent = "";
    names.forEach(function (name) {
      var option = el("option", "", name);
      option.value = name;
      option.selected = name === selected;
      select.appendChild(option);
    });
  }

  // The form starts on the router's choice (the case's category, subcategory and department; a case in
  // triage has no department: the router's own for that category); its alternatives fill it when clicked.
  function dispatchForm(form, ticket) {
    (categories ? Promise.resolve(categories) : api("/api/staff/handoff/categories").then(function (body) {
      categories = body.categories;
      return categories;
    })).then(function (all) {
      form.textContent = "";
      form.appendChild(document.getElementById("dispatch-template").content.cloneNode(true));
      var category = form.querySelector(".category");
      var subcategory = form.querySelector(".subcategory");
      var department = form.querySelector(".department");
      var alternatives = ticket.routing_alternatives || [];
      var parts = (ticket.category || "").split("/");
      var level1 = parts[0] || null;
      var level2 = ticket.subcategory || parts[1] || null;
      var routed = null;
      alternatives.forEach(function (a) { if (!routed && a.category === level1) routed = a; });
      if (!level1 && alternatives.length) { routed = alternatives[0]; level1 = routed.category; level2 = routed.subcategory; }
      if (!all[level1]) level1 = Object.keys(all)[0];
      var chosenDepartment = ticket.department || (routed ? routed.department : null);

      function fill(sub, dep) {
        var entry = all[category.value];
        options(subcategory, entry.level2, sub);
        var departments = entry.departments.slice();
        if (dep && departments.indexOf(dep) < 0) departments.push(dep);
        options(department, departments, dep);
      }
      options(category, Object.keys(all), level1);
      fill(level2, chosenDepartment);
      category.addEventListener("change", function () { fill(null, null); });

      var prediction = form.querySelector(".prediction");
      var list = form.querySelector(".alternatives");
      if (alternatives.length) {
        prediction.textContent = "智能分类" + (ticket.routing_confidence !== null && ticket.routing_confidence !== undefined ?
          "（置信度 " + percent(ticket.routing_confidence) + "）" : "") + "，点击建议填入：";
      } else {
        prediction.textContent = "暂无智能分类建议，请人工选择。";
      }
      alternatives.forEach(function (a) {
        var li = el("li");
        var button = el("button", "secondary alternative",
          a.category + (a.subcategory ? " / " + a.subcategory : "") + " → " + (a.department || "—") + "（" + percent(a.score) + "）");
        button.type = "button";
        button.setAttribute("aria-pressed", String(a.category === category.value && a.subcategory === subcategory.value));
        button.addEventListener("click", function () {
          if (!all[a.category]) return;
          category.value = a.category;
          fill(a.subcategory, a.department);
          Array.prototype.forEach.call(list.querySelectorAll("button"), function (b) { b.setAttribute("aria-pressed", "false"); });
          button.setAttribute("aria-pressed", "true");
        });
        li.appendChild(button);
        list.appendChild(li);
      });
      if (!alternatives.length) list.hidden = true;

      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var body = { category: category.value, subcategory: subcategory.value, department: department.value };
        var path = ticket.kind === "ticket" || !ticket.kind
          ? "/api/staff/handoff/tickets/" + encodeURIComponent(ticket.number) + "/dispatch"
          : "/api/staff/cases/" + encodeURIComponent(ticket.number) + "/assign";
        api(path, { method: "POST", body: body }).then(function (updated) {
          form.querySelector(".result").textContent = "已派单至" + updated.department + "（" + updated.category + "）";
          refreshQueue();
        }).catch(function (error) { form.querySelector(".result").textContent = error.message; });
      });
    });
  }

  function highlight() {
    Array.prototype.forEach.call(document.querySelectorAll(".items li[data-key]"), function (li) {
      li.classList.toggle("active", !!current && li.dataset.key === current.id);
    });
  }

  // Other panels (supervision.js) open a case in the view.
  document.addEventListener("console:open-case", function (event) { openTicket(event.detail.number); });

  // ---- live updates --------------------------------------------------------------------------------
  function onEvent(event) {
    if (event.type === "ready") return;
    document.dispatchEvent(new CustomEvent("console:update", { detail: event }));
    refreshQueue();
    if (current && current.kind === "conversation" && event.sender === current.id) openConversation(current.id, true);
  }

  function listen() {
    if (streamAbort) streamAbort.abort();
    var controller = new AbortController();
    streamAbort = controller;
    fetch("/api/staff/handoff/events", { headers: { Authorization: "Bearer " + token }, signal: controller.signal })
      .then(function (response) {
        if (response.status === 401) { logout("登录已失效，请重新登录"); return; }
        if (!response.ok || !response.body) throw new Error("stream");
        $("live").textContent = "● 实时更新中";
        refreshQueue(); // catch up on whatever happened while disconnected
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) throw new Error("closed");
            buffer += decoder.decode(chunk.value, { stream: true });
            var blocks = buffer.split("\n\n");
            buffer = blocks.pop();
            blocks.forEach(function (block) {
              var data = block.split("\n").filter(function (l) { return l.indexOf("data:") === 0; })
                .map(function (l) { return l.slice(5).trim(); }).join("\n");
              if (data) onEvent(JSON.parse(data));
            });
            return pump();
          });
        }
        return pump();
      })
      .catch(function () {
        if (controller.signal.aborted || !token) return;
        $("live").textContent = "○ 连接中断，正在重连…";
        setTimeout(listen, 2000);
      });
  }

  if (token) {
    api("/api/staff/me").then(function (me) { start(me.display_name); }).catch(function () { /* login shown */ });
  }
})();
