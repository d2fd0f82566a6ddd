package globals

// Builtin reports whether a browser provides name as a global before any
// script runs: ECMAScript's globals and the window's common properties.
// A source that reads one is never in the wrong order, even when a later
// source (a polyfill) declares it too.
func Builtin(name string) bool { return builtin[name] }

var builtin = map[string]bool{}

func init() {
	for _, n := range builtinNames {
		builtin[n] = true
	}
}

var builtinNames = []string{
	// ECMAScript.
	"globalThis", "Infinity", "NaN", "undefined", "eval", "isFinite", "isNaN", "parseFloat", "parseInt",
	"decodeURI", "decodeURIComponent", "encodeURI", "encodeURIComponent", "escape", "unescape",
	"AggregateError", "Array", "ArrayBuffer", "Atomics", "BigInt", "BigInt64Array", "BigUint64Array",
	"Boolean", "DataView", "Date", "Error", "EvalError", "FinalizationRegistry", "Float32Array",
	"Float64Array", "Function", "Int8Array", "Int16Array", "Int32Array", "Intl", "Iterator", "JSON", "Map",
	"Math", "Number", "Object", "Promise", "Proxy", "RangeError", "ReferenceError", "Reflect", "RegExp",
	"Set", "SharedArrayBuffer", "String", "Symbol", "SyntaxError", "TypeError", "Uint8Array",
	"Uint8ClampedArray", "Uint16Array", "Uint32Array", "URIError", "WeakMap", "WeakRef", "WeakSet",
	"arguments",
	// The window and what hangs off it.
	"window", "self", "document", "navigator", "location", "history", "screen", "frames", "parent", "top",
	"opener", "name", "status", "console", "performance", "crypto", "localStorage", "sessionStorage",
	"indexedDB", "caches", "customElements", "visualViewport", "devicePixelRatio", "innerWidth",
	"innerHeight", "outerWidth", "outerHeight", "pageXOffset", "pageYOffset", "scrollX", "scrollY",
	"alert", "confirm", "prompt", "print", "open", "close", "focus", "blur", "postMessage",
	"addEventListener", "removeEventListener", "dispatchEvent", "getComputedStyle", "getSelection",
	"matchMedia", "scroll", "scrollBy", "scrollTo", "requestAnimationFrame", "cancelAnimationFrame",
	"requestIdleCallback", "cancelIdleCallback", "setTimeout", "clearTimeout", "setInterval",
	"clearInterval", "queueMicrotask", "structuredClone", "atob", "btoa", "fetch", "reportError",
	"createImageBitmap", "event", "external", "origin", "isSecureContext", "crossOriginIsolated",
	// Constructors and interfaces scripts commonly use at load.
	"AbortController", "AbortSignal", "Blob", "BroadcastChannel", "CSS", "CustomEvent", "DOMParser",
	"DOMException", "Document", "DocumentFragment", "Element", "Event", "EventSource", "EventTarget",
	"File", "FileList", "FileReader", "FormData", "Headers", "HTMLElement", "HTMLDocument", "Image",
	"IntersectionObserver", "KeyboardEvent", "MessageChannel", "MouseEvent", "MutationObserver", "Node",
	"NodeList", "Option", "ResizeObserver", "Request", "Response", "ShadowRoot", "Storage", "Text",
	"TextDecoder", "TextEncoder", "URL", "URLSearchParams", "WebSocket", "Worker", "XMLHttpRequest",
	"XMLSerializer", "ActiveXObject",
	// What a script meant for several environments looks for (a UMD
	// wrapper reads them under typeof, or not).
	"define", "module", "exports", "require", "global", "process",
}
