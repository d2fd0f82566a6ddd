(function () {
  registerCollection("users", function () {
    return [{ id: 1, name: "Ada" }, { id: 2, name: "Grace" }];
  });
})();
