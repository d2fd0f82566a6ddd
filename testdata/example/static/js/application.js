// The site's own code. A classic script: its top-level declarations are
// globals that the other files of the bundle (and inline handlers) use.
var App = {
  version: "1.4.2",
  collections: {}
};

function registerCollection(name, fetch) {
  App.collections[name] = { name: name, fetch: fetch };
  return App.collections[name];
}

// No trailing semicolon on purpose: the bundle's ";" barrier keeps the next file safe.
var ready = false
