var items = [];
window.Cart = { add: function (x) { items.push(x); return items.length; } };
