if (Cart.add({ sku: "x" }) !== 1) {
  throw new Error("cart");
}
