// A test file: excluded from the bundle by "!js/collections/**/*.test.js".
if (App.collections.users.fetch().length !== 2) {
  throw new Error("users");
}
