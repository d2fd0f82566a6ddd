var Cart = {
  items: [],
  add: function (item) {
    this.items.push(item);
    return this.items.length;
  }
};
