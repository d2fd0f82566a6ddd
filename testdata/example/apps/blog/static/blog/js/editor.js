var Editor = {
  open: function (el) {
    Bootstrap.toggle(el);
  }
}
