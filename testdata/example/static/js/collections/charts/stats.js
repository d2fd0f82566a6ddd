registerCollection("stats", function () {
  var total = 0;
  for (var i = 0; i < 10; i++) {
    total += i * i;
  }
  return { total: total };
});
