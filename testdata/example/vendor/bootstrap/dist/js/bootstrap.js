/*! bootstrap stand-in | MIT */
var Bootstrap = {
  toggle: function (el) {
    el.classList.toggle("open");
  }
};
