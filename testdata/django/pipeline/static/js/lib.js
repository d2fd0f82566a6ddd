// A library in pipeline's style: its top-level names are the bundle's own,
// inside pipeline's wrapper; it publishes one global on purpose.
var name = { library: "lib" };
var counter = 0;
function bump() { counter += 1; return counter; }
this.Lib = { version: "2.1", bump: bump, name: name.library };
