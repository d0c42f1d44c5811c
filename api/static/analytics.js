/*
 * 数据分析: the dashboard of the 12345 centre (supervisors and above). Reads GET /api/staff/analytics with the
 * console's login token, draws the charts with the vendored Apache ECharts and shows every chart's data as a
 * table (captioned, exportable as CSV and XLSX). Table titles and headers come from the server
 * (/api/staff/analytics/options), the same ones the exports use.
 */
(function () {
  "use strict";
  var el = window.LuanDom.el; // dom.js

  var TOKEN_KEY = "luan-console:token"; // as console.js stores it
  var token = sessionStorage.getItem(TOKEN_KEY);
  var tables = {};
  var charts = [];
  var pending = []; // charts to draw once their boxes are in the page (ECharts measures them)
  var $ = function (id) { return document.getElementById(id); };

  // Panels in reading order: a chart (optional) drawn from its first table, then the tables.
  var PANELS = [
    { title: "每日受理量", chart: "volumes_daily", tables: ["volumes_daily", "volumes_kinds", "volumes_channels"], wide: true },
    { title: "热点话题（近7天与前7天比较）", chart: "hot_topics", tables: ["hot_topics"], wide: true, open: true },
    { title: "一级分类前10", chart: "categories_level1", tables: ["categories_level1"] },
    { title: "二级分类前10", chart: "categories_level2", tables: ["categories_level2"] },
    { title: "咨询最多的服务事项", chart: "services_asked", tables: ["services_asked"] },
    { title: "投诉最多的服务事项", chart: "services_complained", tables: ["services_complained"] },
    { title: "各部门按期办结率", chart: "deadlines_departments", tables: ["deadlines_departments", "deadlines_cards"] },
    { title: "超期未办结案件", tables: ["overdue"], open: true },
    { title: "满意度趋势", chart: "satisfaction_trend", tables: ["satisfaction_trend", "satisfaction_services", "satisfaction_departments"] },
    { title: "智能助手", tables: ["assistant"], open: true },
    { title: "社区事件", tables: ["incidents_grids"], open: true, wide: true }
  ];

  function api(path) {
    return fetch(path, { headers: { Authorization: "Bearer " + token } }).then(function (response) {
      if (response.status === 401) throw new Error("登录已失效，请回到坐席工作台重新登录");
      if (!response.ok) {
        return response.json().then(function (body) { throw new Error(body.message || "查询失败"); });
      }
      return response;
    });
  }

  // ---- filters ---------------------------------------------------------------------------------------
  function isoDay(date) {
    var month = String(date.getMonth() + 1).padStart(2, "0");
    return date.getFullYear() + "-" + month + "-" + String(date.getDate()).padStart(2, "0");
  }

  function daysAgo(n) {
    var date = new Date();
    date.setDate(date.getDate() - n);
    return isoDay(date);
  }

  function query() {
    var range = document.querySelector("input[name=range]:checked").value;
    var params = new URLSearchParams();
    if (range === "custom") {
      params.set("from", $("from").value);
      params.set("to", $("to").value);
    } else {
      params.set("from", daysAgo(Number(range) - 1));
      params.set("to", daysAgo(0));
    }
    if ($("channel").value) params.set("channel", $("channel").value);
    if ($("department").value) params.set("department", $("department").value);
    return params.toString();
  }

  document.querySelectorAll("input[name=range]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      var custom = document.querySelector("input[name=range]:checked").value === "custom";
      $("custom-range").hidden = !custom;
      if (custom && !$("from").value) {
        $("from").value = daysAgo(29);
        $("to").value = daysAgo(0);
      }
    });
  });

  $("filters").addEventListener("submit", function (event) {
    event.preventDefault();
    load();
  });

  function fill(select, items) {
    items.forEach(function (item) {
      var option = el("option", "", item.name);
      option.value = item.key;
      select.appendChild(option);
    });
  }

  // ---- numbers -----------------------------------------------------------------------------------------
  function shown(value, column) {
    if (value === null || value === undefined || value === "") return "—";
    if (column && column.percent) return (value * 100).toFixed(1) + "%";
    return String(value);
  }

  function rowsOf(report, spec) {
    var value = report;
    spec.path.forEach(function (key) { value = value[key]; });
    return Array.isArray(value) ? value : [value];
  }

  // ---- summary -----------------------------------------------------------------------------------------
  function summary(report) {
    var d = report.deadlines, s = report.satisfaction, a = report.assistant;
    var items = [
      ["受理总量", report.volumes.total + " 件"],
      ["按期办结率", shown(d.on_time_rate, { percent: true })],
      ["平均办理", d.average_workdays === null ? "—" : d.average_workdays + " 个工作日"],
      ["在办预警", "黄牌 " + d.cards.yellow + " · 红牌 " + d.cards.red],
      ["平均满意度", s.average === null ? "—" : s.average + " 星（4-5星 " + shown(s.share_4_5, { percent: true }) + "）"],
      ["自助解决率", shown(a.self_service_rate, { percent: true })],
      ["转人工率", shown(a.handoff_rate, { percent: true })],
      ["响应时间 P50/P95", a.latency_p50_ms === null ? "—" : a.latency_p50_ms + " / " + a.latency_p95_ms + " 毫秒"]
    ];
    var box = $("summary");
    box.textContent = "";
    var list = el("dl", "kpis");
    items.forEach(function (item) {
      var entry = el("div", "kpi");
      entry.appendChild(el("dt", "", item[0]));
      entry.appendChild(el("dd", "", item[1]));
      list.appendChild(entry);
    });
    box.appendChild(list);
  }

  // ---- tables and exports ------------------------------------------------------------------------------
  function download(spec, format) {
    var params = query();
    api("/api/staff/analytics/" + spec.name + "." + format + "?" + params).then(function (response) {
      return response.blob();
    }).then(function (blob) {
      var link = el("a");
      link.href = URL.createObjectURL(blob);
      link.download = spec.title + "." + format;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
    }).catch(function (error) { $("error").textContent = error.message; });
  }

  function table(spec, rows) {
    var node = el("table", "data");
    var caption = el("caption");
    caption.appendChild(el("span", "", spec.title));
    ["csv", "xlsx"].forEach(function (format) {
      var button = el("button", "export", format === "csv" ? "导出CSV" : "导出Excel");
      button.type = "button";
      button.setAttribute("aria-label", "将“" + spec.title + "”导出为" + (format === "csv" ? "CSV" : "Excel"));
      button.addEventListener("click", function () { download(spec, format); });
      caption.appendChild(button);
    });
    node.appendChild(caption);
    var head = el("tr");
    spec.columns.forEach(function (column) {
      var th = el("th", "", column.header);
      th.scope = "col";
      head.appendChild(th);
    });
    node.appendChild(el("thead")).appendChild(head);
    var body = node.appendChild(el("tbody"));
    if (!rows.length) {
      var empty = el("td", "empty", "暂无数据");
      empty.colSpan = spec.columns.length;
      body.appendChild(el("tr")).appendChild(empty);
    }
    rows.forEach(function (row) {
      var tr = el("tr");
      spec.columns.forEach(function (column) {
        var td = el("td", typeof row[column.key] === "number" ? "num" : "", shown(row[column.key], column));
        if (column.key === "change" && row.change > 0) td.textContent = "↑" + row.change;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    return node;
  }

  // ---- charts ------------------------------------------------------------------------------------------
  var FONT = { fontFamily: "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif" };

  function bars(names, series, percent) {
    return {
      textStyle: FONT,
      tooltip: { trigger: "axis" },
      legend: series.length > 1 ? { top: 0 } : undefined,
      grid: { left: 8, right: 24, top: series.length > 1 ? 30 : 10, bottom: 8, containLabel: true },
      xAxis: { type: "value", axisLabel: percent ? { formatter: "{value}%" } : {} },
      yAxis: { type: "category", data: names.slice().reverse(), axisLabel: { width: 150, overflow: "truncate" } },
      series: series.map(function (s) { return { name: s.name, type: "bar", data: s.data.slice().reverse() }; })
    };
  }

  function lines(days, series) {
    return {
      textStyle: FONT,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 30, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: days },
      yAxis: { type: "value", minInterval: 1 },
      series: series.map(function (s) { return { name: s.name, type: "line", smooth: true, data: s.data }; })
    };
  }

  function pick(rows, key) { return rows.map(function (r) { return r[key]; }); }

  var CHARTS = {
    volumes_daily: function (rows) {
      var days = Array.from(new Set(pick(rows, "day"))).sort();
      var kinds = Array.from(new Set(pick(rows, "kind_name")));
      return lines(days, kinds.map(function (kind) {
        return {
          name: kind,
          data: days.map(function (day) {
            return rows.reduce(function (sum, r) { return sum + (r.day === day && r.kind_name === kind ? r.count : 0); }, 0);
          })
        };
      }));
    },
    hot_topics: function (rows) {
      return bars(pick(rows, "label"), [{ name: "近7天", data: pick(rows, "count") }, { name: "前7天", data: pick(rows, "previous") }]);
    },
    categories_level1: function (rows) { return bars(pick(rows, "category"), [{ name: "件数", data: pick(rows, "count") }]); },
    categories_level2: function (rows) {
      var names = rows.map(function (r) { return r.category + "／" + r.subcategory; });
      return bars(names, [{ name: "件数", data: pick(rows, "count") }]);
    },
    services_asked: function (rows) { return bars(pick(rows, "service"), [{ name: "咨询次数", data: pick(rows, "count") }]); },
    services_complained: function (rows) { return bars(pick(rows, "service"), [{ name: "投诉件数", data: pick(rows, "count") }]); },
    deadlines_departments: function (rows) {
      var decided = rows.filter(function (r) { return r.on_time_rate !== null; });
      var rates = decided.map(function (r) { return Math.round(r.on_time_rate * 1000) / 10; });
      return bars(pick(decided, "department"), [{ name: "按期率", data: rates }], true);
    },
    satisfaction_trend: function (rows) {
      var option = lines(pick(rows, "name"), [{ name: "平均星级", data: pick(rows, "average") }]);
      option.yAxis = { type: "value", min: 0, max: 5 };
      return option;
    }
  };

  function chart(panel, spec, rows) {
    if (!rows.length || (panel.chart === "deadlines_departments" && !rows.some(function (r) { return r.on_time_rate !== null; }))) {
      return el("p", "empty", "暂无数据");
    }
    var box = el("div", "chart");
    box.setAttribute("role", "img");
    var label = spec.title + "图表，数据见下方表格";
    box.setAttribute("aria-label", label);
    if (!window.echarts) {
      box.textContent = "图表组件未安装（make setup 会安装），数据见下方表格。";
      return box;
    }
    pending.push(function () {
      var instance = window.echarts.init(box);
      var option = CHARTS[panel.chart](rows);
      option.aria = { enabled: true, label: { description: label } }; // ECharts would replace the label otherwise
      instance.setOption(option);
      charts.push(instance);
    });
    return box;
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  function render(report) {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    summary(report);
    var root = $("panels");
    root.textContent = "";
    PANELS.forEach(function (panel) {
      var section = el("section", "panel" + (panel.wide ? " wide" : ""));
      var heading = el("h2", "", panel.title);
      heading.id = "panel-" + (panel.chart || panel.tables[0]);
      section.setAttribute("aria-labelledby", heading.id);
      section.appendChild(heading);
      if (panel.chart) section.appendChild(chart(panel, tables[panel.chart], rowsOf(report, tables[panel.chart])));
      var holder = section;
      if (!panel.open) {
        holder = el("details", "tables");
        holder.appendChild(el("summary", "", "查看数据表"));
        section.appendChild(holder);
      }
      panel.tables.forEach(function (name) { holder.appendChild(table(tables[name], rowsOf(report, tables[name]))); });
      root.appendChild(section);
    });
    pending.splice(0).forEach(function (draw) { draw(); });
  }

  function load() {
    $("error").textContent = "";
    $("status").textContent = "正在查询…";
    return api("/api/staff/analytics?" + query())
      .then(function (response) { return response.json(); })
      .then(function (report) {
        render(report);
        var scope = [report.start + " 至 " + report.end];
        if (report.channel) scope.push("渠道：" + $("channel").selectedOptions[0].textContent);
        if (report.department) scope.push("部门：" + report.department);
        $("status").textContent = "已显示 " + scope.join("，") + " 的数据（生成于 " + new Date(report.generated_at).toLocaleString("zh-CN") + "）";
      })
      .catch(function (error) {
        $("status").textContent = "";
        $("error").textContent = error.message;
      });
  }

  function start() {
    if (!token) {
      $("error").textContent = "请先在坐席工作台登录（主管及以上权限）。";
      $("filters").hidden = true;
      return;
    }
    api("/api/staff/analytics/options")
      .then(function (response) { return response.json(); })
      .then(function (options) {
        options.tables.forEach(function (spec) { tables[spec.name] = spec; });
        fill($("channel"), options.channels);
        fill($("department"), options.departments.map(function (d) { return { key: d, name: d }; }));
        return load();
      })
      .catch(function (error) {
        $("filters").hidden = true;
        $("error").textContent = error.message;
      });
  }

  start();
})();
