/*
 * 未解答问题 in the agent console (supervisors and administrators): the questions the assistant could not
 * answer, grouped by similarity, most asked first. A group's page shows its questions and whether the
 * knowledge base answers each of them now; an administrator adds them to a service as sample questions
 * (the service file is updated and the assistant answers them at once) or marks them out of scope.
 * API: /api/staff/unanswered (docs/console.md). A modal dialog: it never draws over the console's views.
 */
(function () {
  "use strict";

  var api = LuanConsole.api, el = LuanConsole.el, when = LuanConsole.when;
  var BASE = "/api/staff/unanswered";
  var STATUS_TEXT = { open: "待处理", attached: "已补充到事项", out_of_scope: "不属于服务范围" };
  var $ = function (id) { return document.getElementById(id); };
  var role = null;
  var services = null;

  function table(caption, headings, rows) {
    var t = el("table", "inbox-table");
    t.appendChild(el("caption", "", caption));
    var head = el("tr");
    headings.forEach(function (h) { var th = el("th", "", h); th.scope = "col"; head.appendChild(th); });
    t.appendChild(el("thead")).appendChild(head);
    var body = t.appendChild(el("tbody"));
    rows.forEach(function (cells) {
      var tr = body.appendChild(el("tr"));
      cells.forEach(function (cell) {
        var td = tr.appendChild(el("td"));
        if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell;
      });
    });
    return t;
  }

  // ---- the list --------------------------------------------------------------------------------------
  function showList() {
    var pane = $("inbox-pane");
    var status = $("inbox-status").value;
    pane.textContent = "";
    pane.appendChild(el("p", "muted", "加载中…"));
    api(BASE + "?limit=200" + (status ? "&status=" + status : "")).then(function (groups) {
      pane.textContent = "";
      if (!groups.length) {
        pane.appendChild(el("p", "empty", status === "open" ? "暂无待处理的未解答问题。" : "没有符合条件的问题分组。"));
        return;
      }
      pane.appendChild(table("未解答问题分组（按提问次数排序）", ["示例问题", "提问次数", "最近出现", "状态"], groups.map(function (g) {
        var open = el("button", "link", g.example);
        open.type = "button";
        open.addEventListener("click", function () { showGroup(g.id); });
        var state = STATUS_TEXT[g.status] + (g.service ? "：" + g.service : "");
        if (g.status !== "open" && g.since_resolved) state += "（此后又有" + g.since_resolved + "次未答）";
        return [open, String(g.count), when(g.last_seen), state];
      })));
    }).catch(function (error) { pane.textContent = ""; pane.appendChild(el("p", "error", error.message)); });
  }

  // ---- one group -------------------------------------------------------------------------------------
  function showGroup(id) {
    var pane = $("inbox-pane");
    pane.textContent = "";
    pane.appendChild(el("p", "muted", "加载中…"));
    Promise.all([api(BASE + "/" + id), services || api("/api/services")]).then(function (loaded) {
      services = Promise.resolve(loaded[1]);
      drawGroup(loaded[0], loaded[1]);
    }).catch(function (error) { pane.textContent = ""; pane.appendChild(el("p", "error", error.message)); });
  }

  function answeredText(q) {
    if (q.answered_now === null) return "—";
    return q.answered_now ? "能回答（" + q.best_service + "）" : "仍不能回答";
  }

  function drawGroup(group, catalogue) {
    var pane = $("inbox-pane");
    pane.textContent = "";
    var back = el("button", "secondary", "返回列表");
    back.type = "button";
    back.addEventListener("click", showList);
    pane.appendChild(back);
    pane.appendChild(el("h3", "", group.example));
    var state = STATUS_TEXT[group.status] + (group.service ? "：" + group.service : "");
    if (group.resolved_by) state += "（" + group.resolved_by + "，" + when(group.resolved_at) + "）";
    pane.appendChild(el("p", "meta", "共" + group.count + "次 · 首次 " + when(group.first_seen) + " · 最近 " + when(group.last_seen) + " · " + state));
    pane.appendChild(table("该分组的问题（已脱敏）", ["问题", "次数", "现在能否回答"], group.questions.map(function (q) {
      return [q.text, String(q.count), answeredText(q)];
    })));
    if (role !== "admin") {
      pane.appendChild(el("p", "muted", "补充示例问题或标记为不属于服务范围需管理员权限。"));
      return;
    }
    var result = el("p", "result");
    result.setAttribute("role", "status");
    var form = el("form", "inbox-attach");
    var label = el("label", "", "补充为以下事项的示例问题 ");
    var select = el("select");
    select.required = true;
    var suggested = (group.questions[0] || {}).best_service;
    catalogue.forEach(function (s) {
      var option = el("option", "", s.name);
      option.value = s.name;
      option.selected = s.name === (group.service || suggested);
      select.appendChild(option);
    });
    label.appendChild(select);
    form.appendChild(label);
    var attach = el("button", "", "补充并重新加载知识库");
    attach.type = "submit";
    form.appendChild(attach);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      attach.disabled = true;
      result.textContent = "正在更新事项文件并重建索引…";
      api(BASE + "/" + group.id + "/attach", { method: "POST", body: { service: select.value } }).then(function (done) {
        drawGroup(done, catalogue);
        $("inbox-pane").appendChild(el("p", "result", done.added.length ? "已补充" + done.added.length + "条示例问题：" + done.added.join("；") : "这些问题已是该事项的示例问题，未重复添加。"));
      }).catch(function (error) { attach.disabled = false; result.textContent = error.message; });
    });
    pane.appendChild(form);
    var away = el("button", "secondary", "标记为不属于服务范围");
    away.type = "button";
    away.disabled = group.status === "out_of_scope";
    away.addEventListener("click", function () {
      api(BASE + "/" + group.id + "/out-of-scope", { method: "POST" })
        .then(function () { showGroup(group.id); })
        .catch(function (error) { result.textContent = error.message; });
    });
    pane.appendChild(away);
    pane.appendChild(result);
  }

  // ---- the dialog ------------------------------------------------------------------------------------
  function build() {
    var dialog = $("inbox-dialog");
    var head = el("div", "inbox-head");
    head.appendChild(el("h2", "", "未解答问题")).id = "inbox-title";
    var filter = el("label", "", "状态 ");
    var select = el("select");
    select.id = "inbox-status";
    [["open", "待处理"], ["attached", "已补充到事项"], ["out_of_scope", "不属于服务范围"], ["", "全部"]].forEach(function (o) {
      var option = el("option", "", o[1]);
      option.value = o[0];
      select.appendChild(option);
    });
    select.addEventListener("change", showList);
    filter.appendChild(select);
    head.appendChild(filter);
    var close = el("button", "secondary", "关闭");
    close.type = "button";
    close.addEventListener("click", function () { dialog.close(); });
    head.appendChild(close);
    dialog.appendChild(head);
    dialog.appendChild(el("div", "inbox-pane")).id = "inbox-pane";
  }

  function start() {
    if ($("desk").hidden) { role = null; $("inbox-open").hidden = true; return; }
    api("/api/staff/me").then(function (me) {
      role = me.role;
      $("inbox-open").hidden = role !== "supervisor" && role !== "admin";
    }).catch(function () { $("inbox-open").hidden = true; });
  }

  build();
  $("inbox-open").addEventListener("click", function () {
    $("inbox-dialog").showModal();
    showList();
  });
  new MutationObserver(start).observe($("desk"), { attributes: true, attributeFilter: ["hidden"] });
  start();
})();
