/*
 * 待审核建议 in the agent console (supervisors and above): residents' suggestions held by the sensitive-word
 * check, each approved, edited with a note, or rejected with the reason its author reads; and the sensitive-word
 * list (administrators add and remove words). API: /api/staff/moderation/... (docs/console.md).
 * Its own view (#moderation-view) stands in for the console's #view while open, so the console's live
 * updates never draw over a review in progress.
 */
(function () {
  "use strict";

  var el = LuanConsole.el, when = LuanConsole.when, TOKEN_KEY = LuanConsole.TOKEN_KEY;
  var BASE = "/api/staff/moderation";
  // This section's calls name paths under BASE.
  function api(path, options) { return LuanConsole.api(BASE + path, options); }
  var $ = function (id) { return document.getElementById(id); };
  var role = null;
  var openNumber = null;

  // The text with its sensitive words marked (<mark>), built from text nodes only.
  function marked(text, words) {
    var p = el("p", "moderation-text");
    var rest = text;
    while (rest) {
      var first = -1, word = "";
      words.forEach(function (w) {
        var at = rest.indexOf(w);
        if (at >= 0 && (first < 0 || at < first)) { first = at; word = w; }
      });
      if (first < 0) { p.appendChild(document.createTextNode(rest)); break; }
      p.appendChild(document.createTextNode(rest.slice(0, first)));
      p.appendChild(el("mark", "", word));
      rest = rest.slice(first + word.length);
    }
    return p;
  }

  // ---- showing our view instead of the console's ---------------------------------------------------
  function show(build) {
    var view = $("moderation-view");
    view.textContent = "";
    build(view);
    $("view").hidden = true;
    view.hidden = false;
  }

  function hide() {
    openNumber = null;
    $("moderation-view").hidden = true;
    $("view").hidden = false;
    Array.prototype.forEach.call($("moderation").children, function (li) { li.classList.remove("active"); });
  }

  // A click on any other list of the console gives the view back to it.
  document.querySelector(".lists").addEventListener("click", function (event) {
    if (!$("moderation-section").contains(event.target)) hide();
  });

  // ---- the queue -----------------------------------------------------------------------------------
  function refresh() {
    return api("/suggestions?limit=100").then(function (page) {
      var list = $("moderation");
      list.textContent = "";
      $("moderation-count").textContent = "（" + page.total + "）";
      if (!page.items.length) list.appendChild(el("li", "empty-item", "暂无待审核的建议"));
      page.items.forEach(function (s) {
        var li = el("li", openNumber === s.number ? "active" : "");
        li.tabIndex = 0;
        li.dataset.key = s.number;
        var line1 = el("div", "line1");
        line1.appendChild(el("span", "", s.number));
        line1.appendChild(el("span", "age", when(s.created_at)));
        li.appendChild(line1);
        li.appendChild(el("div", "line2", "敏感词：" + s.flagged_words.join("、") + " · " + s.content));
        var open = function () { openItem(s); };
        li.addEventListener("click", open);
        li.addEventListener("keydown", function (event) {
          if (event.key === "Enter" || event.key === " ") { event.preventDefault(); open(); }
        });
        list.appendChild(li);
      });
    }).catch(function (error) { $("moderation-count").textContent = "（" + error.message + "）"; });
  }

  function decisionForm(view, label, buttonClass, fields, send) {
    var form = el("form", "reply");
    var inputs = fields.map(function (f) {
      var id = "moderation-" + f.name;
      var labelNode = el("label", "", f.label);
      labelNode.htmlFor = id;
      var input = el("textarea");
      input.id = id;
      input.rows = f.rows || 2;
      input.maxLength = f.max || 500;
      input.required = !!f.required;
      input.value = f.value || "";
      if (f.hint) input.placeholder = f.hint;
      form.appendChild(labelNode);
      form.appendChild(input);
      return input;
    });
    var actions = el("div", "actions");
    var button = el("button", buttonClass, label);
    button.type = "submit";
    actions.appendChild(button);
    form.appendChild(actions);
    var result = el("p", "error");
    result.setAttribute("role", "alert");
    form.appendChild(result);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      send(inputs.map(function (input) { return input.value.trim(); })).then(function (decided) {
        refresh();
        showDecided(decided);
      }).catch(function (error) {
        result.textContent = error.message;
        button.disabled = false;
      });
    });
    view.appendChild(form);
  }

  function header(view, s) {
    view.appendChild(el("h2", "", "建议 " + s.number));
    var about = s.consultation ? "意见征集：" + s.consultation : "主题：" + (s.topic || "（未写明）");
    view.appendChild(el("p", "meta", about + " · 提交于 " + when(s.created_at) + " · " + s.status_text));
  }

  function openItem(s) {
    openNumber = s.number;
    Array.prototype.forEach.call($("moderation").children, function (li) {
      li.classList.toggle("active", li.dataset.key === s.number);
    });
    show(function (view) {
      header(view, s);
      view.appendChild(el("p", "meta", "命中敏感词：" + s.flagged_words.join("、")));
      view.appendChild(el("h3", "", "居民原文（个人信息已遮蔽，命中敏感词已标出）"));
      view.appendChild(marked(s.content, s.flagged_words));
      var path = "/suggestions/" + encodeURIComponent(s.number);
      view.appendChild(el("h3", "", "通过并公开"));
      decisionForm(view, "通过并公开", "", [{ name: "approve-note", label: "审核备注（可不填）" }], function (values) {
        return api(path + "/approve", { method: "POST", body: values[0] ? { review_note: values[0] } : {} });
      });
      view.appendChild(el("h3", "", "修改后公开"));
      decisionForm(view, "修改后公开", "", [
        { name: "edit-content", label: "公开的文本", value: s.content, rows: 5, max: 8000, required: true },
        { name: "edit-note", label: "修改说明（必填，随原文存档）", required: true }
      ], function (values) {
        return api(path + "/edit", { method: "POST", body: { content: values[0], review_note: values[1] } });
      });
      view.appendChild(el("h3", "", "不予公开"));
      decisionForm(view, "不予公开", "secondary", [
        { name: "reject-reason", label: "理由（必填）", required: true, hint: "居民查询办理进度时会看到这段理由，请礼貌、具体" }
      ], function (values) {
        return api(path + "/reject", { method: "POST", body: { rejection_reason: values[0] } });
      });
    });
  }

  function showDecided(s) {
    show(function (view) {
      header(view, s);
      view.appendChild(el("p", "", s.status === "rejected" ? "已决定不予公开，居民查询时会看到理由。" : "已公开。"));
      view.appendChild(el("h3", "", "公开的文本"));
      view.appendChild(el("p", "moderation-text", s.content));
      if (s.original_content) {
        view.appendChild(el("h3", "", "居民原文（存档）"));
        view.appendChild(el("p", "moderation-text", s.original_content));
      }
      if (s.review_note) view.appendChild(el("p", "meta", "审核备注：" + s.review_note));
    });
  }

  // ---- the sensitive-word list ------------------------------------------------------------------------
  function openWords() {
    openNumber = null;
    api("/words").then(function (words) {
      show(function (view) {
        view.appendChild(el("h2", "", "敏感词表（" + words.length + "个）"));
        view.appendChild(el("p", "meta", "建议含其中任一词时先进入审核；匹配时忽略空格、标点和全角半角。" +
          "“默认”来自项目词表文件，“管理员”为工作台中添加的词。"));
        var admin = role === "admin";
        if (admin) {
          var form = el("form", "reply");
          var label = el("label", "", "添加敏感词");
          label.htmlFor = "moderation-word";
          var input = el("input");
          input.id = "moderation-word";
          input.maxLength = 32;
          input.required = true;
          var add = el("button", "", "添加");
          add.type = "submit";
          var note = el("p", "error");
          note.setAttribute("role", "alert");
          form.appendChild(label);
          form.appendChild(input);
          form.appendChild(add);
          form.appendChild(note);
          form.addEventListener("submit", function (event) {
            event.preventDefault();
            api("/words", { method: "POST", body: { word: input.value } }).then(openWords)
              .catch(function (error) { note.textContent = error.message; });
          });
          view.appendChild(form);
        }
        var table = el("table", "moderation-words");
        var head = el("tr");
        ["敏感词", "来源", "添加人", ""].forEach(function (h) { head.appendChild(el("th", "", h)); });
        table.appendChild(head);
        words.forEach(function (w) {
          var row = el("tr");
          row.appendChild(el("td", "", w.word));
          row.appendChild(el("td", "", w.source === "admin" ? "管理员" : "默认"));
          row.appendChild(el("td", "", w.changed_by || ""));
          var cell = el("td");
          if (admin) {
            var remove = el("button", "secondary", "移除");
            remove.type = "button";
            remove.setAttribute("aria-label", "移除敏感词“" + w.word + "”");
            remove.addEventListener("click", function () {
              api("/words/" + encodeURIComponent(w.word), { method: "DELETE" }).then(openWords)
                .catch(function (error) { window.alert(error.message); });
            });
            cell.appendChild(remove);
          }
          row.appendChild(cell);
          table.appendChild(row);
        });
        view.appendChild(table);
      });
    }).catch(function (error) { window.alert(error.message); });
  }

  // ---- start: once the console shows the desk, for supervisors and admins --------------------------------
  function start() {
    if ($("desk").hidden) { role = null; hide(); $("moderation-section").hidden = true; return; }
    fetch("/api/staff/me", { headers: { Authorization: "Bearer " + sessionStorage.getItem(TOKEN_KEY) } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (me) {
        role = me && me.role;
        var allowed = role === "supervisor" || role === "admin";
        $("moderation-section").hidden = !allowed;
        if (allowed) refresh();
      });
  }

  $("moderation-words-open").addEventListener("click", openWords);
  new MutationObserver(start).observe($("desk"), { attributes: true, attributeFilter: ["hidden"] });
  setInterval(function () { if (role && !$("desk").hidden) refresh(); }, 60000);
  start();
})();
