/*
 * 参与式预算, the public page: the rounds and their projects (GET /api/budget/rounds[/{id}]), a proposal form
 * while a round takes proposals, and while it votes the phone check (a one-time code by SMS -> a voter token kept
 * for this tab only) and the ballot (PUT /api/budget/rounds/{id}/ballot), which can be changed until voting
 * closes. Nothing is loaded from outside the gateway.
 */
(function () {
  "use strict";
  var el = window.LuanDom.el; // dom.js

  var VOTER_KEY = "luan-budget:voter";
  var $ = function (id) { return document.getElementById(id); };
  var current = null; // the round page shown

  function yuan(n) { return Number(n).toLocaleString("zh-CN") + "元"; }

  function day(iso) {
    var parts = iso.split("-");
    return Number(parts[0]) + "年" + Number(parts[1]) + "月" + Number(parts[2]) + "日";
  }

  function say(id, text, isError) {
    var node = $(id);
    node.textContent = text;
    node.classList.toggle("error", Boolean(isError));
  }

  function call(method, path, body, headers) {
    var options = { method: method, headers: Object.assign({ "Content-Type": "application/json" }, headers || {}) };
    if (body !== undefined) options.body = JSON.stringify(body);
    return fetch(path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.message || "操作没有成功，请稍后再试。");
          error.status = response.status;
          error.detail = data.detail;
          throw error;
        }
        return data;
      });
    });
  }

  function voterHeaders() {
    var token = sessionStorage.getItem(VOTER_KEY);
    return token ? { "X-Voter-Token": token } : null;
  }

  // ---- round --------------------------------------------------------------------------------------
  function showProjects(page) {
    var list = $("projects");
    list.textContent = "";
    page.projects.forEach(function (p) {
      var item = el("li");
      var title = el("span", "project-title", p.title);
      var badge = el("span", "badge", p.status_text.split("，")[0]);
      if (["funded", "in_progress", "completed"].indexOf(p.status) >= 0) badge.classList.add("funded");
      if (p.status === "rejected") badge.classList.add("rejected");
      item.appendChild(title);
      item.appendChild(badge);
      var facts = p.number + " · " + p.place + " · 费用" + yuan(p.cost_yuan);
      if (p.votes !== null) facts += " · " + p.votes + "票";
      item.appendChild(el("div", "meta", facts));
      item.appendChild(el("div", null, p.description));
      if (p.review_reason) item.appendChild(el("div", "meta", "评审意见：" + p.review_reason));
      if (p.progress.length) {
        var progress = el("ul", "progress");
        progress.setAttribute("aria-label", p.title + "的实施进展");
        p.progress.forEach(function (u) {
          progress.appendChild(el("li", null, u.at.slice(0, 10) + " " + u.note));
        });
        item.appendChild(progress);
      }
      list.appendChild(item);
    });
    $("projects-empty").hidden = page.projects.length > 0;
  }

  function showRound(page) {
    current = page;
    $("round").hidden = false;
    $("round-title").textContent = page.title + "（" + page.area + "）";
    $("round-phase").textContent = page.phase_text;
    $("round-budget").textContent = yuan(page.budget_yuan);
    $("round-proposals-until").textContent = day(page.proposals_until);
    $("round-voting-until").textContent = day(page.voting_until);
    $("round-max").textContent = page.max_choices + "个项目";
    $("round-rule").textContent = page.funding_rule;
    $("round-used").hidden = page.budget_used_yuan === null;
    if (page.budget_used_yuan !== null) {
      $("round-used").textContent = "入选项目共用预算" + yuan(page.budget_used_yuan) + "，按得票公布如下。";
    }
    showProjects(page);
    $("propose").hidden = page.phase !== "proposals";
    $("vote").hidden = page.phase !== "voting";
    if (page.phase === "voting") showBallot();
  }

  function loadRound(id) {
    say("status", "正在加载……");
    return call("GET", "/api/budget/rounds/" + id).then(function (page) {
      say("status", "");
      showRound(page);
      history.replaceState(null, "", "/budget?round=" + id);
    }).catch(function (error) { say("status", error.message, true); });
  }

  function loadRounds() {
    return call("GET", "/api/budget/rounds").then(function (rounds) {
      var select = $("round-select");
      select.textContent = "";
      if (!rounds.length) {
        say("status", "目前没有进行中的预算项目征集。");
        return;
      }
      rounds.forEach(function (r) {
        select.appendChild(new Option(r.title + " · " + ({ proposals: "征集中", review: "评审中", voting: "投票中", results: "已公布" })[r.phase], r.id));
      });
      var wanted = new URLSearchParams(location.search).get("round");
      if (wanted && rounds.some(function (r) { return String(r.id) === wanted; })) select.value = wanted;
      return loadRound(select.value);
    }).catch(function (error) { say("status", error.message, true); });
  }

  // ---- proposal -----------------------------------------------------------------------------------
  function propose(event) {
    event.preventDefault();
    var form = $("propose-form");
    var body = {
      title: form.title.value, description: form.description.value, cost_yuan: Number(form.cost_yuan.value),
      place: form.place.value, phone: form.phone.value, channel: "web"
    };
    if (!body.title.trim() || !body.description.trim() || !body.place.trim() || !body.phone.trim() || !(body.cost_yuan > 0)) {
      say("propose-result", "请把项目名称、说明、大致费用、地点和手机号都填上。", true);
      return;
    }
    call("POST", "/api/budget/rounds/" + current.id + "/proposals", body).then(function (receipt) {
      form.reset();
      say("propose-result", "提议已提交，编号：" + receipt.number + "。评审结果会在本页公布，也可以凭编号和手机号后四位查询进度。");
    }).catch(function (error) { say("propose-result", error.message, true); });
  }

  // ---- phone check and ballot ---------------------------------------------------------------------
  function sendCode() {
    call("POST", "/api/budget/phone-codes", { phone: $("v-phone").value }).then(function (sent) {
      say("verify-result", "验证码已发送，" + Math.round(sent.expires_in_seconds / 60) + "分钟内有效。");
      $("v-code").focus();
    }).catch(function (error) { say("verify-result", error.message, true); });
  }

  function verify(event) {
    event.preventDefault();
    call("POST", "/api/budget/phone-codes/verify", { phone: $("v-phone").value, code: $("v-code").value }).then(function (body) {
      sessionStorage.setItem(VOTER_KEY, body.voter_token);
      showBallot();
      say("ballot-result", "手机号已验证，请选择项目投票。");
    }).catch(function (error) { say("verify-result", error.message, true); });
  }

  function showBallot() {
    var headers = voterHeaders();
    $("verify-form").hidden = Boolean(headers);
    $("ballot-form").hidden = !headers;
    if (!headers) return;
    var box = $("ballot-choices");
    box.textContent = "";
    $("ballot-legend").textContent = "请选择项目（最多" + current.max_choices + "个）";
    current.projects.filter(function (p) { return p.status === "accepted"; }).forEach(function (p) {
      var label = el("label");
      var input = el("input");
      input.type = "checkbox";
      input.name = "choice";
      input.value = p.number;
      label.appendChild(input);
      label.appendChild(el("span", null, p.title + "（" + yuan(p.cost_yuan) + "）"));
      box.appendChild(label);
    });
    call("GET", "/api/budget/rounds/" + current.id + "/ballot", undefined, headers).then(function (ballot) {
      box.querySelectorAll("input").forEach(function (input) { input.checked = ballot.choices.indexOf(input.value) >= 0; });
      if (ballot.choices.length) say("ballot-result", "您已投票，可以修改后重新提交。");
    }).catch(voterLost);
  }

  function voterLost(error) {
    if (error.status === 401) {
      sessionStorage.removeItem(VOTER_KEY);
      showBallot();
      say("verify-result", error.message, true);
    } else {
      say("ballot-result", error.message, true);
    }
  }

  function castBallot(event) {
    event.preventDefault();
    var choices = Array.prototype.map.call($("ballot-choices").querySelectorAll("input:checked"), function (i) { return i.value; });
    call("PUT", "/api/budget/rounds/" + current.id + "/ballot", { choices: choices }, voterHeaders()).then(function (receipt) {
      say("ballot-result", (receipt.replaced ? "已改票" : "投票成功") + "：共选" + receipt.choices.length + "个项目。" + day(receipt.voting_until) + "投票截止前还可以修改。");
    }).catch(voterLost);
  }

  $("round-select").addEventListener("change", function (event) { loadRound(event.target.value); });
  $("propose-form").addEventListener("submit", propose);
  $("send-code").addEventListener("click", sendCode);
  $("verify-form").addEventListener("submit", verify);
  $("ballot-form").addEventListener("submit", castBallot);
  // The staff section (budget-staff.js) reloads the page's data after a change.
  window.budgetPage = { reload: loadRounds, round: function () { return current; } };
  loadRounds();
})();
