/*
 * 社区网格 in the agent console (administrators; docs/community.md): the directory of smart-community incidents.
 * Communities with their grids (网格), each grid's officers taking turns and its backup officer, and the buildings
 * each grid covers; create and delete them, set a grid's officers, mark an officer away (new incidents then go to
 * the grid's other officers or its backup) or back, and import a CSV file, whose every row error the gateway
 * lists in Chinese. API: /api/staff/communities, /api/staff/grids, /api/staff/buildings, /api/staff/officers.
 * Its own view (#community-view) stands in for the console's #view while open, as the departments' view does.
 */
(function () {
  "use strict";

  var api = LuanConsole.api, el = LuanConsole.el, TOKEN_KEY = LuanConsole.TOKEN_KEY;
  // A grid officer's account name, as the gateway accepts it (api/community_schemas.py Username).
  var USERNAME = "[A-Za-z0-9_.\\-]{3,64}";
  // Several officers of one grid, separated as in the CSV import ("a;b", "a|b") or by commas or spaces.
  // (Patterns are compiled with the v flag: "|" in a class must be escaped.)
  var USERNAMES = USERNAME + "([;；\\|,，\\s]+" + USERNAME + ")*";
  var $ = function (id) { return document.getElementById(id); };

  function usernames(text) {
    return text.split(/[;；|,，\s]+/).filter(Boolean);
  }

  function officerName(officer) {
    return officer.display_name + "（" + officer.username + "）";
  }

  // A labelled input; `id` makes the label point at it, unique across the whole view.
  function field(form, id, label, attributes) {
    var wrap = el("label", "community-field", label);
    wrap.htmlFor = id;
    var input = el("input");
    input.id = id;
    Object.keys(attributes || {}).forEach(function (name) { input.setAttribute(name, attributes[name]); });
    form.appendChild(wrap);
    form.appendChild(input);
    return input;
  }

  function button(text, label, className) {
    var node = el("button", className || "", text);
    node.type = "button";
    if (label) node.setAttribute("aria-label", label);
    return node;
  }

  // ---- showing the view ----------------------------------------------------------------------------
  var status = null; // the view's line for outcomes (role=status), redrawn with the directory

  function show(build) {
    var view = $("community-view");
    view.textContent = "";
    build(view);
    Array.prototype.forEach.call(document.querySelectorAll("#desk > .view"), function (other) {
      other.hidden = other !== view;
    });
  }

  function hide() {
    $("community-view").hidden = true;
  }

  // Whatever shows another view (a list of the console, 不动产查询, the review queue) takes its place.
  new MutationObserver(function (changes) {
    var other = changes.some(function (c) {
      return c.target.classList.contains("view") && c.target.id !== "community-view" && !c.target.hidden;
    });
    if (other) hide();
  }).observe($("desk"), { attributes: true, attributeFilter: ["hidden"], subtree: true });

  // Run a change, then redraw the directory with its outcome (or keep the view and say what went wrong).
  function change(promise, done) {
    return promise.then(function () { open(done); }).catch(function (error) {
      status.textContent = error.message;
      status.className = "error";
    });
  }

  // ---- the directory ---------------------------------------------------------------------------------
  function open(notice) {
    api("/api/staff/communities").then(function (communities) {
      show(function (view) {
        view.appendChild(el("h2", "", "社区网格（" + communities.length + "个小区）"));
        view.appendChild(el("p", "meta", "居民报告的小区事件按楼栋派给所在网格的网格员，同一网格的几位网格员轮流接单；" +
          "网格员休假时，新事件改派给同网格其他人或备岗网格员。"));
        status = el("p", "meta", notice || "");
        status.setAttribute("role", "status");
        view.appendChild(status);
        view.appendChild(importForm());
        view.appendChild(communityForm());
        if (!communities.length) view.appendChild(el("p", "empty", "还没有登记小区，可以新增或导入CSV文件。"));
        communities.forEach(function (community) { view.appendChild(communitySection(community)); });
      });
    }).catch(function (error) { window.alert(error.message); });
  }

  function importForm() {
    var form = el("form", "reply community-import");
    form.appendChild(el("h3", "", "导入CSV文件"));
    form.appendChild(el("p", "meta", "第一行为 community,grid,building,officer_username,backup_username；" +
      "每栋楼一行，一个网格的多位网格员用分号隔开。文件有误时不导入任何数据，并列出每一行的问题。"));
    var file = field(form, "community-csv", "CSV文件", { type: "file", accept: ".csv,text/csv", required: "" });
    var submit = el("button", "", "导入");
    submit.type = "submit";
    form.appendChild(submit);
    var rowErrors = el("div", "community-errors");
    rowErrors.setAttribute("role", "alert");
    form.appendChild(rowErrors);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit.disabled = true;
      rowErrors.textContent = "";
      api("/api/staff/communities/import", { method: "POST", csv: file.files[0] }).then(function (result) {
        open("已导入" + result.rows + "行：新增小区" + result.communities + "个、网格" + result.grids +
          "个、楼栋" + result.buildings + "栋。");
      }).catch(function (error) {
        submit.disabled = false;
        var summary = error.rows.length ? "导入失败，共" + error.rows.length + "处错误，未导入任何数据：" : error.message;
        rowErrors.appendChild(el("p", "error", summary));
        if (!error.rows.length) return;
        var list = el("ul", "error");
        error.rows.forEach(function (row) { list.appendChild(el("li", "", row)); });
        rowErrors.appendChild(list);
      });
    });
    return form;
  }

  function communityForm() {
    var form = el("form", "reply community-form");
    form.appendChild(el("h3", "", "新增小区"));
    var name = field(form, "community-name", "小区（社区）名称", { maxlength: "64", required: "" });
    var district = field(form, "community-district", "所属县区（可不填）", { maxlength: "32" });
    var submit = el("button", "", "新增小区");
    submit.type = "submit";
    form.appendChild(submit);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = { name: name.value.trim(), district: district.value.trim() || null };
      change(api("/api/staff/communities", { method: "POST", body: body }), "已新增小区“" + body.name + "”。");
    });
    return form;
  }

  function communitySection(community) {
    var section = el("section", "community");
    var head = el("div", "community-head");
    head.appendChild(el("h3", "", community.name + (community.district ? "（" + community.district + "）" : "")));
    if (community.sample) head.appendChild(el("span", "badge note", "样例"));
    var remove = button("删除小区", "删除小区" + community.name, "secondary");
    remove.addEventListener("click", function () {
      if (!window.confirm("删除小区“" + community.name + "”及其全部网格和楼栋？")) return;
      change(api("/api/staff/communities/" + community.id, { method: "DELETE" }), "已删除小区“" + community.name + "”。");
    });
    head.appendChild(remove);
    section.appendChild(head);
    if (!community.grids.length) section.appendChild(el("p", "empty", "还没有网格。"));
    community.grids.forEach(function (grid) { section.appendChild(gridPart(community, grid)); });
    section.appendChild(gridForm(community));
    if (community.grids.length) section.appendChild(buildingForm(community));
    return section;
  }

  function officerRow(officer, role) {
    var row = el("tr");
    row.appendChild(el("td", "", role));
    row.appendChild(el("td", "", officerName(officer)));
    row.appendChild(el("td", officer.away ? "away" : "", officer.away ? "休假中" : "在岗"));
    var cell = el("td");
    var toggle = button(officer.away ? "标记返岗" : "标记休假",
      (officer.away ? "标记返岗：" : "标记休假：") + officerName(officer), "secondary");
    toggle.addEventListener("click", function () {
      var body = { away: !officer.away };
      change(api("/api/staff/officers/" + encodeURIComponent(officer.username) + "/away", { method: "PUT", body: body }),
        officerName(officer) + (body.away ? "已标记休假，新事件不再派给他（她）。" : "已返岗。"));
    });
    cell.appendChild(toggle);
    row.appendChild(cell);
    return row;
  }

  function gridPart(community, grid) {
    var part = el("div", "community-grid");
    var title = community.name + grid.name;
    var head = el("div", "community-head");
    head.appendChild(el("h4", "", grid.name));
    var remove = button("删除网格", "删除网格" + title, "secondary");
    remove.addEventListener("click", function () {
      if (!window.confirm("删除“" + title + "”及其楼栋？")) return;
      change(api("/api/staff/grids/" + grid.id, { method: "DELETE" }), "已删除“" + title + "”。");
    });
    head.appendChild(remove);
    part.appendChild(head);

    var table = el("table", "inbox-table");
    table.appendChild(el("caption", "", title + "的网格员"));
    var header = el("tr");
    ["职责", "网格员", "状态", "操作"].forEach(function (h) { header.appendChild(el("th", "", h)); });
    table.appendChild(header);
    grid.officers.forEach(function (officer) { table.appendChild(officerRow(officer, "轮流接单")); });
    if (grid.backup) table.appendChild(officerRow(grid.backup, "备岗"));
    if (!grid.officers.length && !grid.backup) {
      var none = el("tr");
      var cell = el("td", "empty", "还没有网格员：这个网格的事件会停在“已上报”，等待分派。");
      cell.colSpan = 4;
      none.appendChild(cell);
      table.appendChild(none);
    }
    part.appendChild(table);
    part.appendChild(officersForm(grid, title));

    var buildings = el("ul", "community-buildings");
    buildings.setAttribute("aria-label", title + "的楼栋");
    grid.buildings.forEach(function (building) {
      var item = el("li", "", building.label + " ");
      var drop = button("删除", "删除楼栋" + community.name + building.label, "secondary");
      drop.addEventListener("click", function () {
        change(api("/api/staff/buildings/" + building.id, { method: "DELETE" }), "已删除" + community.name + building.label + "。");
      });
      item.appendChild(drop);
      buildings.appendChild(item);
    });
    if (!grid.buildings.length) buildings.appendChild(el("li", "empty", "还没有楼栋"));
    part.appendChild(buildings);
    return part;
  }

  function officerInputs(form, key, officers, backup) {
    var names = field(form, key + "-officers", "网格员账号（轮流接单，多个用分号隔开）", {
      value: officers.join(";"), pattern: USERNAMES, size: "36",
      title: "网格员的登录账号，3到64位字母、数字、点、下划线或短横线，多个用分号隔开"
    });
    var spare = field(form, key + "-backup", "备岗网格员账号（可不填）", {
      value: backup || "", pattern: USERNAME, size: "20", title: "一位网格员的登录账号"
    });
    return function () {
      return { officers: usernames(names.value), backup: spare.value.trim() || null };
    };
  }

  function officersForm(grid, title) {
    var form = el("form", "community-row");
    form.setAttribute("aria-label", "设置" + title + "的网格员");
    var values = officerInputs(form, "grid-" + grid.id, grid.officers.map(function (o) { return o.username; }),
      grid.backup && grid.backup.username);
    var submit = el("button", "", "保存网格员");
    submit.type = "submit";
    submit.setAttribute("aria-label", "保存" + title + "的网格员");
    form.appendChild(submit);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      change(api("/api/staff/grids/" + grid.id, { method: "PUT", body: values() }), "已保存“" + title + "”的网格员。");
    });
    return form;
  }

  function gridForm(community) {
    var form = el("form", "community-row");
    form.setAttribute("aria-label", "为" + community.name + "新增网格");
    var key = "community-" + community.id + "-grid";
    var name = field(form, key + "-name", "新网格名称", { maxlength: "32", required: "", size: "12" });
    var values = officerInputs(form, key, [], null);
    var submit = el("button", "", "新增网格");
    submit.type = "submit";
    submit.setAttribute("aria-label", "为" + community.name + "新增网格");
    form.appendChild(submit);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = values();
      body.name = name.value.trim();
      change(api("/api/staff/communities/" + community.id + "/grids", { method: "POST", body: body }),
        "已为" + community.name + "新增“" + body.name + "”。");
    });
    return form;
  }

  function buildingForm(community) {
    var form = el("form", "community-row");
    form.setAttribute("aria-label", "为" + community.name + "新增楼栋");
    var key = "community-" + community.id + "-building";
    var label = field(form, key + "-label", "新楼栋（如3栋、3号楼、12#）", { maxlength: "32", required: "", size: "10" });
    var pick = el("label", "community-field", "所属网格");
    pick.htmlFor = key + "-grid";
    var grid = el("select");
    grid.id = key + "-grid";
    community.grids.forEach(function (g) {
      var option = el("option", "", g.name);
      option.value = g.id;
      grid.appendChild(option);
    });
    form.appendChild(pick);
    form.appendChild(grid);
    var submit = el("button", "", "新增楼栋");
    submit.type = "submit";
    submit.setAttribute("aria-label", "为" + community.name + "新增楼栋");
    form.appendChild(submit);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = { label: label.value.trim(), grid_id: Number(grid.value) };
      change(api("/api/staff/communities/" + community.id + "/buildings", { method: "POST", body: body }),
        "已为" + community.name + "新增" + body.label + "。");
    });
    return form;
  }

  // ---- start: administrators, once the console shows the desk -------------------------------------------
  function start() {
    if ($("desk").hidden) {
      hide();
      $("community-open").hidden = true;
      return;
    }
    fetch("/api/staff/me", { headers: { Authorization: "Bearer " + sessionStorage.getItem(TOKEN_KEY) } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (me) { $("community-open").hidden = !(me && me.role === "admin"); });
  }

  $("community-open").addEventListener("click", function () { open(""); });
  new MutationObserver(start).observe($("desk"), { attributes: true, attributeFilter: ["hidden"] });
  start();
})();
