/*
 * What every section of the agent console shares (supervision.js, inbox.js, moderation.js, departments.js,
 * community.js): the staff login's token, the authenticated JSON call, element building and date display.
 * Loaded before them by console.html.
 */
(function () {
  "use strict";
  var el = window.LuanDom.el; // dom.js

  var TOKEN_KEY = "luan-console:token"; // the console's login (console.js)

  // A call with the staff token: JSON `body`, or a file as `csv`; the answer's JSON (null for 204), or an Error
  // with the gateway's Chinese message (and `rows`, the CSV import's error per row).
  function api(path, options) {
    options = options || {};
    var headers = { Authorization: "Bearer " + sessionStorage.getItem(TOKEN_KEY) };
    var body;
    if (options.csv) {
      headers["Content-Type"] = "text/csv";
      body = options.csv; // the file as chosen: the gateway reads UTF-8 and Excel's GBK alike
    } else if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    return fetch(path, { method: options.method || "GET", headers: headers, body: body }).then(function (response) {
      if (response.status === 204) return null;
      return response.json().then(function (data) {
        if (response.ok) return data;
        var error = new Error(data.message || "操作失败");
        error.rows = data.errors || [];
        throw error;
      });
    });
  }

  function when(iso) {
    return iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false }) : "";
  }

  window.LuanConsole = { TOKEN_KEY: TOKEN_KEY, api: api, el: el, when: when };
})();
