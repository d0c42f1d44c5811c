/*
 * 督办 in the agent console: the list of yellow and red cards, notes and deadline extensions on open cases
 * (an agent sees its department's, supervisors all), a notice when one is pushed, and in a case's view its
 * 督办 history with, for supervisors, a note form and a deadline extension form.
 * API: GET /api/staff/supervision, POST /api/staff/cases/{n}/supervision-notes and /deadline-extensions
 * (docs/console.md). console.js hands over its live updates ("console:update"), the case it shows
 * ("console:case") and opens a case when asked ("console:open-case").
 */
(function () {
  "use strict";

  var api = LuanConsole.api, el = LuanConsole.el, when = LuanConsole.when;
  var CARD_CLASS = { yellow: "card-yellow", red: "card-red" };
  var NOTICE_SECONDS = 15;
  var LIST_LIMIT = 50;
  var $ = function (id) { return document.getElementById(id); };
  var role = null;
  var department = null;
  var events = [];
  var noticeTimer = null;

  function day(iso) {
    return iso ? new Date(iso).toLocaleDateString("zh-CN") : "";
  }

  function supervisor() {
    return role === "supervisor" || role === "admin";
  }

  // What an event says, in one line: the card's deadline, the note, or the extension and its reason.
  function detail(event) {
    if (event.kind === "yellow") return "即将到期：办理时限 " + when(event.deadline);
    if (event.kind === "red") return "已超期：办理时限 " + when(event.deadline);
    if (event.kind === "extension") return "时限延至 " + day(event.new_deadline) + "，理由：" + event.note;
    return event.note || "";
  }

  function openCase(number) {
    document.dispatchEvent(new CustomEvent("console:open-case", { detail: { number: number } }));
  }

  // ---- the list ------------------------------------------------------------------------------------
  function render() {
    var list = $("supervision");
    list.textContent = "";
    $("supervision-count").textContent = "（" + events.length + "）";
    if (!events.length) {
      // Supervisors and the centre's agents (no department) see every case's 督办 (api/case_access.py).
      list.appendChild(el("li", "", supervisor() || !department ? "暂无督办" : "暂无本部门的督办"));
      return;
    }
    events.forEach(function (event) {
      var li = el("li", CARD_CLASS[event.kind] || "");
      li.tabIndex = 0;
      li.dataset.key = event.number;
      var line1 = el("div", "line1");
      line1.appendChild(el("span", "", event.number + (event.department ? " · " + event.department : "")));
      line1.appendChild(el("span", "badge " + event.kind, event.kind_text));
      li.appendChild(line1);
      li.appendChild(el("div", "line2", detail(event) + "（" + when(event.at) + "）"));
      li.addEventListener("click", function () { openCase(event.number); });
      li.addEventListener("keydown", function (key) {
        if (key.key === "Enter" || key.key === " ") { key.preventDefault(); openCase(event.number); }
      });
      list.appendChild(li);
    });
  }

  function refresh() {
    return api("/api/staff/supervision").then(function (list) {
      events = list;
      render();
    }).catch(function () { /* the list keeps what it had; the live status shows a lost connection */ });
  }

  function notify(event) {
    var notice = $("supervision-notice");
    notice.textContent = event.kind_text + "：" + event.number + " " + detail(event);
    notice.className = "supervision-notice " + (CARD_CLASS[event.kind] || "");
    notice.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () { notice.hidden = true; }, NOTICE_SECONDS * 1000);
  }

  document.addEventListener("console:update", function (update) {
    var event = update.detail;
    if (!event || event.type !== "supervision" || role === null) return;
    // As many as the server lists (GET /api/staff/supervision): a backlog of pushes must not grow the page.
    events = [event].concat(events.filter(function (e) { return e.id !== event.id; })).slice(0, LIST_LIMIT);
    render();
    notify(event);
  });

  // ---- a case's history and the supervisor's forms ---------------------------------------------------
  function field(form, labelText, input) {
    var label = el("label", "", labelText + " ");
    label.appendChild(input);
    form.appendChild(label);
    return input;
  }

  function supervisorForm(view, number, title, path, build) {
    var form = el("form", "supervision-form");
    form.appendChild(el("h4", "", title));
    var body = build(form);
    var submit = el("button", "", "提交");
    submit.type = "submit";
    form.appendChild(submit);
    var result = el("p", "result", "");
    result.setAttribute("role", "status");
    form.appendChild(result);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit.disabled = true;
      api("/api/staff/cases/" + encodeURIComponent(number) + path, { method: "POST", body: body() })
        .then(function () { openCase(number); })
        .catch(function (error) { result.textContent = error.message; submit.disabled = false; });
    });
    view.appendChild(form);
  }

  function caseHistory(view, found) {
    var history = found.supervision || [];
    view.appendChild(el("h3", "", "督办记录"));
    var list = el("ol", "supervision-history");
    list.setAttribute("aria-label", "督办记录");
    if (!history.length) list.appendChild(el("li", "", "暂无督办记录"));
    history.forEach(function (event) {
      var li = el("li", CARD_CLASS[event.kind] || "");
      li.appendChild(el("span", "badge " + event.kind, event.kind_text));
      li.appendChild(document.createTextNode(" " + when(event.at) + " · " + (event.by === "system" ? "系统" : event.by) + "：" + detail(event)));
      list.appendChild(li);
    });
    view.appendChild(list);
    if (!supervisor() || !found.allowed_status || !found.allowed_status.length) return; // closed: nothing to supervise

    supervisorForm(view, found.number, "督办意见", "/supervision-notes", function (form) {
      var note = field(form, "意见", el("textarea"));
      note.rows = 2;
      note.maxLength = 500;
      note.required = true;
      return function () { return { note: note.value }; };
    });
    if (!found.deadline) return;
    supervisorForm(view, found.number, "延长办理时限（当前 " + day(found.deadline) + "）", "/deadline-extensions", function (form) {
      var date = field(form, "新的办理时限", el("input"));
      date.type = "date";
      date.required = true;
      var reason = field(form, "延期理由", el("input"));
      reason.maxLength = 500;
      reason.required = true;
      return function () { return { new_deadline: date.value, reason: reason.value }; };
    });
  }

  document.addEventListener("console:case", function (shown) {
    if (role !== null) caseHistory(shown.detail.view, shown.detail["case"]);
  });

  // ---- start: once the console shows the desk --------------------------------------------------------
  function start() {
    if ($("desk").hidden) { role = null; department = null; events = []; $("supervision-notice").hidden = true; return; }
    api("/api/staff/me").then(function (me) {
      role = me.role;
      department = me.department;
      refresh();
    }).catch(function () { role = null; });
  }

  new MutationObserver(start).observe($("desk"), { attributes: true, attributeFilter: ["hidden"] });
  start();
})();
