/*
 * Department systems in the agent console (docs/departments.md):
 * - 不动产查询 (agents and above): one property's land, tax and housing records across departments
 *   (GET /api/property/{certificate}); a part a department did not answer shows why, next to the parts that did.
 * - 部门投递失败 (administrators): deliveries of dispatched cases given up on after the last retry, each sent
 *   again with 重新投递 (/api/staff/department-deliveries/...).
 * Its own view (#departments-view) stands in for the console's #view while open, as the review queue's does.
 */
(function () {
  "use strict";

  var api = LuanConsole.api, el = LuanConsole.el, when = LuanConsole.when, TOKEN_KEY = LuanConsole.TOKEN_KEY;
  var $ = function (id) { return document.getElementById(id); };

  function show(build) {
    var view = $("departments-view");
    view.textContent = "";
    build(view);
    $("view").hidden = true;
    $("moderation-view").hidden = true;
    view.hidden = false;
  }

  function hide() {
    if ($("departments-view").hidden) return;
    $("departments-view").hidden = true;
    // The review queue may have just opened its own view from the same click.
    $("view").hidden = !$("moderation-view").hidden;
  }

  // Any list of the console takes the view back.
  document.querySelector(".lists").addEventListener("click", hide);

  // ---- 不动产查询 ------------------------------------------------------------------------------------
  function part(p) {
    var section = el("section", "property-part");
    section.appendChild(el("h3", "", p.label + "（" + p.department + "）"));
    if (!p.ok) {
      section.appendChild(el("p", "error", p.error));
      return section;
    }
    var table = el("table", "inbox-table");
    Object.keys(p.fields).forEach(function (label) {
      var row = el("tr");
      row.appendChild(el("th", "", label));
      row.appendChild(el("td", "", p.fields[label]));
      table.appendChild(row);
    });
    section.appendChild(table);
    return section;
  }

  function openProperty() {
    show(function (view) {
      view.appendChild(el("h2", "", "不动产查询"));
      view.appendChild(el("p", "meta", "同时查询自然资源和规划、税务、住房和城乡建设部门的记录；" +
        "某个部门暂时没有答复时，先显示已查到的部分。"));
      var form = el("form", "reply");
      var label = el("label", "", "不动产权证号");
      label.htmlFor = "property-certificate";
      var input = el("input");
      input.id = "property-certificate";
      input.maxLength = 64;
      input.size = 40;
      input.required = true;
      input.placeholder = "皖(2026)六安市不动产权第0012345号，或7位编号";
      var button = el("button", "", "查询");
      button.type = "submit";
      form.appendChild(label);
      form.appendChild(input);
      form.appendChild(button);
      var result = el("div", "property-result");
      result.setAttribute("aria-live", "polite");
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        button.disabled = true;
        result.textContent = "";
        result.appendChild(el("p", "meta", "正在查询……"));
        api("/api/property/" + encodeURIComponent(input.value.trim())).then(function (answer) {
          result.textContent = "";
          var summary = answer.complete ? "三个部门的记录都已查到。" :
            "部分信息暂时查不到：" + answer.parts.filter(function (p) { return !p.ok; })
              .map(function (p) { return p.label; }).join("、") + "。";
          result.appendChild(el("p", "meta", "证号：" + answer.certificate + " · " + summary +
            "（用时" + answer.elapsed_ms + "毫秒）"));
          answer.parts.forEach(function (p) { result.appendChild(part(p)); });
        }).catch(function (error) {
          result.textContent = "";
          var message = el("p", "error", error.message);
          message.setAttribute("role", "alert");
          result.appendChild(message);
        }).then(function () { button.disabled = false; });
      });
      view.appendChild(form);
      view.appendChild(result);
      input.focus();
    });
  }

  // ---- 部门投递失败 ------------------------------------------------------------------------------------
  function openDeadLetters(notice) {
    api("/api/staff/department-deliveries/dead?limit=100").then(function (page) {
      show(function (view) {
        view.appendChild(el("h2", "", "部门投递失败（" + page.total + "条）"));
        view.appendChild(el("p", "meta", "派往部门系统的工单多次投递仍失败后列在这里；" +
          "部门系统恢复或接口改正后，点“重新投递”。"));
        var status = el("p", "meta", notice || "");
        status.setAttribute("role", "status");
        view.appendChild(status);
        if (!page.items.length) {
          view.appendChild(el("p", "empty", "暂无投递失败的记录。"));
          return;
        }
        var table = el("table", "inbox-table");
        var head = el("tr");
        ["编号", "部门", "尝试次数", "最后错误", "创建时间", ""].forEach(function (h) { head.appendChild(el("th", "", h)); });
        table.appendChild(head);
        page.items.forEach(function (d) {
          var row = el("tr");
          row.appendChild(el("td", "", d.case_number));
          row.appendChild(el("td", "", d.department));
          row.appendChild(el("td", "", String(d.attempts)));
          row.appendChild(el("td", "", d.last_error || ""));
          row.appendChild(el("td", "", when(d.created_at)));
          var cell = el("td");
          var retry = el("button", "secondary", "重新投递");
          retry.type = "button";
          retry.setAttribute("aria-label", "重新投递" + d.case_number + "（" + d.department + "）");
          retry.addEventListener("click", function () {
            retry.disabled = true;
            api("/api/staff/department-deliveries/" + d.id + "/retry", { method: "POST" }).then(function () {
              openDeadLetters("已重新排队投递 " + d.case_number + "。");
            }).catch(function (error) { status.textContent = error.message; retry.disabled = false; });
          });
          cell.appendChild(retry);
          row.appendChild(cell);
          table.appendChild(row);
        });
        view.appendChild(table);
      });
    }).catch(function (error) { window.alert(error.message); });
  }

  // ---- start: once the console shows the desk ------------------------------------------------------------
  function start() {
    if ($("desk").hidden) {
      hide();
      $("property-open").hidden = true;
      $("dead-letters-open").hidden = true;
      return;
    }
    fetch("/api/staff/me", { headers: { Authorization: "Bearer " + sessionStorage.getItem(TOKEN_KEY) } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (me) {
        var role = me && me.role;
        $("property-open").hidden = !(role === "agent" || role === "supervisor" || role === "admin");
        $("dead-letters-open").hidden = role !== "admin";
      });
  }

  $("property-open").addEventListener("click", openProperty);
  $("dead-letters-open").addEventListener("click", function () { openDeadLetters(""); });
  new MutationObserver(start).observe($("desk"), { attributes: true, attributeFilter: ["hidden"] });
  start();
})();
