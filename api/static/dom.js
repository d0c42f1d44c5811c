/*
 * Element building shared by every staff and resident page script (console, dashboard, budget pages); each page
 * loads it before its own scripts.
 */
(function () {
  "use strict";

  // Text goes in as textContent: what residents wrote is never read as markup.
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  window.LuanDom = { el: el };
})();
