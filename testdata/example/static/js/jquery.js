/*! mini-jquery: a stand-in for jQuery in stapler's example | MIT */
(function (global) {
  "use strict";
  function Query(selector) {
    this.nodes = typeof selector === "string" ? Array.prototype.slice.call(document.querySelectorAll(selector)) : [selector];
  }
  Query.prototype.on = function (event, handler) {
    this.nodes.forEach(function (node) { node.addEventListener(event, handler); });
    return this;
  };
  Query.prototype.text = function (value) {
    this.nodes.forEach(function (node) { node.textContent = value; });
    return this;
  };
  global.$ = function (selector) { return new Query(selector); };
})(typeof window !== "undefined" ? window : this);
