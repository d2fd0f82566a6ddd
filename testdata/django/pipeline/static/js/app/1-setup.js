var ready = Lib.bump();
window.App = { ready: ready, library: Lib.name };
