/*
 * 参与式预算, the staff section of /budget: shown only to a tab logged in at the console (its token). Supervisors
 * open rounds and move the shown round to its next phase; the review panel accepts or rejects proposals with a
 * public reason and cost estimate, and reports the progress of funded projects. The gateway checks every role.
 */
(function () {
  "use strict";
  var el = window.LuanDom.el; // dom.js

  var TOKEN_KEY = "luan-console:token"; // as console.js stores it
  var NEXT = { proposals: ["review", "结束征集，开始评审"], review: ["voting", "开始投票"], voting: ["results", "结束投票，公布结果"] };
  var token = sessionStorage.getItem(TOKEN_KEY);
  var section = document.getElementById("staff");
  if (!token || !window.budgetPage) return;

  function field(form, label, name, type) {
    var id = "s-" + name + "-" + form.dataset.key;
    var lab = el("label", null, label);
    lab.htmlFor = id;
    var input = el(type === "textarea" ? "textarea" : "input");
    input.id = id;
    input.name = name;
    if (type && type !== "textarea") input.type = type;
    form.appendChild(lab);
    form.appendChild(input);
    return input;
  }

  function staffCall(method, path, body) {
    return fetch(path, {
      method: method,
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.message || "操作没有成功");
        return data;
      });
    });
  }

  var note = el("p", "result", "");
  note.setAttribute("role", "status");

  function done(promise) {
    return promise.then(function () {
      note.textContent = "已保存。";
      note.classList.remove("error");
      return window.budgetPage.reload().then(render);
    }).catch(function (error) {
      note.textContent = error.message;
      note.classList.add("error");
    });
  }

  function openRoundForm() {
    var form = el("form");
    form.dataset.key = "new";
    form.appendChild(el("h3", null, "开设新一轮（值班长及以上）"));
    var title = field(form, "名称", "title");
    var area = field(form, "街道或社区", "area");
    var budget = field(form, "预算总额（元）", "budget_yuan", "number");
    var max = field(form, "每票可选项目数", "max_choices", "number");
    var p = field(form, "征集截止", "proposals_until", "date");
    var r = field(form, "评审截止", "review_until", "date");
    var v = field(form, "投票截止", "voting_until", "date");
    form.appendChild(el("button", null, "开设"));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      done(staffCall("POST", "/api/staff/budget/rounds", {
        title: title.value, area: area.value, budget_yuan: Number(budget.value), max_choices: Number(max.value),
        proposals_until: p.value, review_until: r.value, voting_until: v.value
      }));
    });
    return form;
  }

  function reviewForm(proposal) {
    var form = el("form");
    form.dataset.key = proposal.number;
    var reason = field(form, "评审意见（公开）", "reason", "textarea");
    var cost = field(form, "评审估算费用（元，通过时填写）", "cost", "number");
    var accept = el("button", null, "通过");
    var reject = el("button", "secondary", "不通过");
    accept.type = reject.type = "button";
    function decide(decision) {
      var body = { decision: decision, reason: reason.value };
      if (decision === "accept") body.cost_estimate_yuan = Number(cost.value);
      done(staffCall("POST", "/api/staff/budget/proposals/" + proposal.number + "/review", body));
    }
    accept.addEventListener("click", function () { decide("accept"); });
    reject.addEventListener("click", function () { decide("reject"); });
    form.appendChild(accept);
    form.appendChild(document.createTextNode(" "));
    form.appendChild(reject);
    return form;
  }

  function progressForm(proposal) {
    var form = el("form");
    form.dataset.key = proposal.number;
    var text = field(form, "实施进展（公开）", "note", "textarea");
    var finished = el("label");
    var box = el("input");
    box.type = "checkbox";
    finished.appendChild(box);
    finished.appendChild(document.createTextNode(" 已完工"));
    form.appendChild(finished);
    form.appendChild(el("button", null, "发布进展"));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      done(staffCall("POST", "/api/staff/budget/proposals/" + proposal.number + "/progress", {
        note: text.value, status: box.checked ? "completed" : "in_progress"
      }));
    });
    return form;
  }

  function render() {
    var round = window.budgetPage.round();
    section.textContent = "";
    section.hidden = false;
    var heading = el("h2", null, "工作人员");
    heading.id = "staff-title";
    section.appendChild(heading);
    section.appendChild(note);
    if (round) {
      var part = el("div", "staff-round");
      part.appendChild(el("h3", null, round.title + "：" + round.phase_text));
      if (NEXT[round.phase]) {
        var move = el("button", null, NEXT[round.phase][1]);
        move.type = "button";
        move.addEventListener("click", function () {
          done(staffCall("POST", "/api/staff/budget/rounds/" + round.id + "/phase", { phase: NEXT[round.phase][0] }));
        });
        part.appendChild(move);
      }
      var list = el("div");
      part.appendChild(list);
      staffCall("GET", "/api/staff/budget/rounds/" + round.id + "/proposals").then(function (proposals) {
        if (!proposals.length) list.appendChild(el("p", "empty", "还没有提议。"));
        proposals.forEach(function (p) {
          var row = el("div", "staff-row");
          row.appendChild(el("div", "project-title", p.number + " " + p.title));
          row.appendChild(el("div", "meta", p.place + " · 大致费用" + p.rough_cost_yuan + "元 · " + p.status_text + " · 联系电话 " + (p.contact_phone || "无")));
          row.appendChild(el("div", null, p.description));
          if (p.status === "submitted" && (round.phase === "proposals" || round.phase === "review")) row.appendChild(reviewForm(p));
          if (p.status === "funded" || p.status === "in_progress") row.appendChild(progressForm(p));
          list.appendChild(row);
        });
      }).catch(function (error) { list.appendChild(el("p", "result error", error.message)); });
      section.appendChild(part);
    }
    section.appendChild(openRoundForm());
  }

  window.budgetPage.reload().then(render);
})();
