package bundler_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stapler-build/stapler/internal/testenv"
)

// The browser test needs Debian's chromium and, for a real web font, its
// fonts-dejavu-core (which chromium depends on).
const (
	chromiumPath = "/usr/bin/chromium"
	dejaVuSans   = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
)

// TestBrowser serves the example project's web app (testdata/example/webapp)
// to headless Chromium and checks in a real browser what the other tests
// can only assume: that a page rendered with the manifest's asset and
// integrity functions, served by manifest.Handler, works. It wants
//
//   - no failed request: every request the app logs is 200 or 304, every
//     request the browser makes gets such an answer from the app, and none
//     fails or is blocked (a wrong integrity blocks a stylesheet);
//   - the bundled CSS applied: a computed style from each of its sources;
//   - the bundled JS run: its globals defined and the page's script, which
//     uses them, done;
//   - the web font that the CSS names loaded and in use.
//
// The example's fonts are stand-in bytes, so the copy built here gets a
// real one, DejaVu Sans, in place of the first @font-face source.
//
// Chromium is driven with the DevTools protocol over --remote-debugging-pipe
// (JSON messages separated by NUL bytes on file descriptors 3 and 4), which
// needs no port, no websocket and no dependency.
//
// Without Chromium the test skips, or under CI fails (internal/testenv).
func TestBrowser(t *testing.T) {
	testenv.File(t, chromiumPath, "chromium")
	font, err := os.ReadFile(testenv.File(t, dejaVuSans, "fonts-dejavu-core"))
	if err != nil {
		t.Fatal(err)
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	// The project, with a real font in the first place of the @font-face
	// rule. The family keeps its name, Inter, which the body asks for.
	dir := t.TempDir()
	config := copyExample(t, dir)
	if err := os.WriteFile(filepath.Join(dir, "static", "fonts", "dejavu-sans.ttf"), font, 0o644); err != nil {
		t.Fatal(err)
	}
	editFile(t, filepath.Join(dir, "static", "css", "layout.css"),
		`url("/static/fonts/inter.woff2") format("woff2")`,
		`url("/static/fonts/dejavu-sans.ttf") format("truetype")`)
	editFile(t, filepath.Join(dir, "static", "dashboard", "dashboard.css"),
		`url("../fonts/inter.woff2") format("woff2")`,
		`url("../fonts/dejavu-sans.ttf") format("truetype")`)
	m := build(t, config).Manifest
	urls := make(map[string]string) // logical name → URL path the page should request
	// The dashboard's entry bundle: its module, the chunk it imports and
	// the one it loads with import(), its stylesheet.
	dashboard := m.Files["js/dashboard.js"]
	if len(dashboard.Imports) == 0 || len(dashboard.DynamicImports) == 0 || len(dashboard.CSS) == 0 {
		t.Fatalf("js/dashboard.js: imports %q, dynamic imports %q, css %q; want each", dashboard.Imports, dashboard.DynamicImports, dashboard.CSS)
	}
	dashboardFiles := slices.Concat([]string{"js/dashboard.js"}, dashboard.Imports, dashboard.DynamicImports, dashboard.CSS)
	for _, name := range append([]string{"css/site.css", "js/stats.js", "js/apps.js", "fonts/dejavu-sans.ttf"}, dashboardFiles...) {
		u, err := m.URL(name)
		if err != nil {
			t.Fatal(err)
		}
		urls[name] = u
	}

	app := startWebapp(ctx, t, filepath.Join(dir, "build", "static"))
	page := app.origin + "/"

	b := startChromium(ctx, t)
	res := b.load(ctx, t, page)
	// Chromium first: a connection it opened ahead and never used would
	// hold the app's graceful shutdown for 5s (http.Server.Shutdown waits
	// that long for a new connection to send a request).
	b.stop()
	app.stop(t)

	// The requests, as the app logged them and as the browser saw them.
	served := make(map[string]int) // path → status
	encodings := make(map[string]string)
	for _, r := range app.requests(t) {
		t.Logf("served: %s %s %d %d bytes, encoding %s", r.method, r.path, r.status, r.bytes, r.encoding)
		if r.status != http.StatusOK && r.status != http.StatusNotModified {
			t.Errorf("the app answered %s %s with %d", r.method, r.path, r.status)
		}
		served[r.path] = r.status
		encodings[r.path] = r.encoding
	}
	// The example has [compress]: Chromium asks for br, and the bundles'
	// brotli siblings are what it gets (and what it decoded, since the
	// styles and scripts below work).
	for _, name := range []string{"css/site.css", "js/stats.js", "js/apps.js"} {
		if enc := encodings[urls[name]]; enc != "br" {
			t.Errorf("%s was served with encoding %q, want br", urls[name], enc)
		}
	}
	for _, r := range res.requests {
		t.Logf("browser: %s %d %s %s", r.url, r.status, r.mimeType, r.failed)
		switch {
		case r.failed != "":
			t.Errorf("request for %s failed: %s", r.url, r.failed)
		case r.status != http.StatusOK && r.status != http.StatusNotModified:
			t.Errorf("request for %s: status %d", r.url, r.status)
		}
		u, err := url.Parse(r.url)
		if err != nil || u.Scheme+"://"+u.Host != app.origin {
			t.Errorf("request for %s: not the app's (%s)", r.url, app.origin)
			continue
		}
		if _, ok := served[u.RequestURI()]; !ok {
			t.Errorf("request for %s: not in the app's log", r.url)
		}
	}
	requested := make(map[string]bool)
	for _, r := range res.requests {
		if u, err := url.Parse(r.url); err == nil {
			requested[u.Path] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(urls)) {
		if !requested[urls[name]] {
			t.Errorf("the browser did not request %s (%s)", name, urls[name])
		}
	}
	for _, p := range res.problems {
		t.Errorf("browser: %s", p)
	}

	// The bundled CSS, one rule from each of its sources.
	for _, c := range styleChecks {
		if got := res.Styles[c.selector+" "+c.property]; got != c.want {
			t.Errorf("computed %s of %s: got %q, want %q (from %s)", c.property, c.selector, got, c.want, c.source)
		}
	}
	if want, _ := m.Integrity("css/site.css"); res.StylesheetIntegrity != want {
		t.Errorf("the stylesheet's integrity attribute is %q, want %q", res.StylesheetIntegrity, want)
	}

	// The bundled JS.
	wantTypes := map[string]string{
		"App": "object", "registerCollection": "function", "$": "function", // js/stats.js
		"Bootstrap": "object", "Editor": "object", "loadComments": "function", "Cart": "object", // js/apps.js
	}
	for name, want := range wantTypes {
		if got := res.Globals[name]; got != want {
			t.Errorf("typeof %s: got %q, want %q", name, got, want)
		}
	}
	if want := "App 1.4.2, collections: stats, users"; res.Marker != "true" || res.MarkerText != want {
		t.Errorf("the page's script: data-ready %q, text %q; want \"true\", %q", res.Marker, res.MarkerText, want)
	}

	// The entry bundle: the module ran, loaded its chart by import(), and
	// its stylesheet and font applied.
	if want := "Dashboard (2 rows): posts: 3, carts: one"; res.Dashboard != "true" || res.DashboardText != want {
		t.Errorf("the dashboard module: data-ready %q, text %q; want \"true\", %q", res.Dashboard, res.DashboardText, want)
	}
	if want := "rgb(0, 128, 0)"; res.DashboardBorder != want {
		t.Errorf("computed border-left-color of #dashboard: got %q, want %q (from dashboard/dashboard.css, imported by main.ts)", res.DashboardBorder, want)
	}

	// The web font.
	var inter, dash []string
	for _, f := range res.Fonts {
		switch strings.Trim(f.Family, `"'`) {
		case "Inter":
			inter = append(inter, f.Status)
		case "Dashboard":
			dash = append(dash, f.Status)
		}
	}
	if !slices.Equal(dash, []string{"loaded"}) {
		t.Errorf("font faces of the family Dashboard: got statuses %q, want [\"loaded\"] (all faces: %+v)", dash, res.Fonts)
	}
	if !slices.Equal(inter, []string{"loaded"}) {
		t.Errorf("font faces of the family Inter: got statuses %q, want [\"loaded\"] (all faces: %+v)", inter, res.Fonts)
	}
	if !res.FontCheck {
		t.Errorf(`document.fonts.check("16px Inter") is false`)
	}
	if !strings.HasPrefix(res.BodyFont, "Inter") {
		t.Errorf("the body's font-family is %q, want Inter first", res.BodyFont)
	}
}

// styleChecks are computed styles the page must have once site.css, the
// bundle of these sources, applies.
var styleChecks = []struct {
	selector, property, want, source string
}{
	{".btn-primary", "background-color", "rgb(13, 110, 253)", "bootstrap/css/bootstrap.css, through var(--bs-primary)"},
	{"body", "color", "rgb(34, 34, 34)", "css/base.css"},
	{".logo", "width", "120px", "css/base.css"},
	{".container", "max-width", "960px", "css/layout.css"},
	{".post h1", "font-size", "32px", "blog/css/post.css"},
	{".post .author", "padding-left", "24px", "blog/css/post.css"},
}

// probe runs in the page once it has loaded. It waits for the fonts the
// page uses, then reports what the test checks, as JSON.
const probe = `(async (checks) => {
	const dashboard = document.getElementById("dashboard");
	for (let i = 0; i < 100 && !dashboard.dataset.ready; i++) {
		await new Promise(resolve => setTimeout(resolve, 50)); // the chart's import()
	}
	await document.fonts.ready;
	const styles = {};
	for (const [selector, property] of checks) {
		const el = document.querySelector(selector);
		styles[selector + " " + property] = el ? getComputedStyle(el).getPropertyValue(property) : "(no element)";
	}
	const globals = {};
	for (const name of ["App", "registerCollection", "$", "Bootstrap", "Editor", "loadComments", "Cart"]) {
		globals[name] = typeof window[name];
	}
	const marker = document.getElementById("collections");
	const link = document.querySelector('link[rel="stylesheet"]');
	return {
		styles,
		stylesheetIntegrity: link ? link.integrity : "",
		globals,
		marker: marker.dataset.ready || "",
		markerText: marker.textContent,
		fonts: [...document.fonts].map(f => ({family: f.family, status: f.status})),
		fontCheck: document.fonts.check('16px "Inter"'),
		bodyFont: getComputedStyle(document.body).fontFamily,
		dashboard: dashboard.dataset.ready || "",
		dashboardText: dashboard.textContent,
		dashboardBorder: getComputedStyle(dashboard).borderLeftColor,
	};
})`

// pageResult is what the browser found: the probe's answer, the requests
// it made and the problems it reported.
type pageResult struct {
	Styles              map[string]string
	StylesheetIntegrity string
	Globals             map[string]string
	Marker, MarkerText  string
	Fonts               []struct{ Family, Status string }
	FontCheck           bool
	BodyFont            string
	Dashboard           string
	DashboardText       string
	DashboardBorder     string

	requests []browserRequest
	problems []string // uncaught exceptions, console errors, log errors
}

// browserRequest is a request as Chromium's Network domain reports it.
type browserRequest struct {
	url      string
	status   int
	mimeType string
	failed   string // the error, if it failed
	done     bool   // finished or failed
}

// webapp is the example app, running.
type webapp struct {
	cmd     *exec.Cmd
	cancel  context.CancelFunc
	log     *syncBuffer
	origin  string        // http://127.0.0.1:port
	exited  chan struct{} // closed once Wait has returned
	err     error         // what Wait returned
	stopped bool
}

// startWebapp builds the example app and starts it on a free port of
// 127.0.0.1, serving the output directory static, and waits until it
// answers. It is stopped when the test ends, if not before.
func startWebapp(ctx context.Context, t *testing.T, static string) *webapp {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "webapp")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "../testdata/example/webapp")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build testdata/example/webapp: %v\n%s", err, out)
	}
	ctx, cancel := context.WithCancel(ctx)
	a := &webapp{cancel: cancel, log: new(syncBuffer), exited: make(chan struct{})}
	a.cmd = exec.CommandContext(ctx, bin, "-static", static, "-addr", "127.0.0.1:0", "-log")
	a.cmd.Stdout = a.log
	a.cmd.Stderr = a.log
	// Stopping asks for a graceful shutdown, and kills after 5s.
	a.cmd.Cancel = func() error { return a.cmd.Process.Signal(os.Interrupt) }
	a.cmd.WaitDelay = 5 * time.Second
	if err := a.cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	go func() {
		a.err = a.cmd.Wait()
		close(a.exited)
	}()
	t.Cleanup(func() { a.stop(t) })

	// The app prints its address once it listens.
	serving := regexp.MustCompile(`(?m)^webapp: serving .* on (http://127\.0\.0\.1:\d+)/$`)
	deadline := time.After(30 * time.Second)
	for a.origin == "" {
		if m := serving.FindStringSubmatch(a.log.String()); m != nil {
			a.origin = m[1]
			break
		}
		select {
		case <-a.exited:
			t.Fatalf("the web app exited:\n%s", a.log.String())
		case <-deadline:
			t.Fatalf("the web app did not start in 30s:\n%s", a.log.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	req, _ := http.NewRequestWithContext(ctx, "HEAD", a.origin+"/", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("the web app does not answer: %v\n%s", err, a.log.String())
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("HEAD /: %s\n%s", resp.Status, a.log.String())
	}
	return a
}

// stop shuts the app down and waits for it, so that its log is complete.
// It reports an exit status other than 0, which a graceful shutdown gives.
func (a *webapp) stop(t *testing.T) {
	if a.stopped {
		return
	}
	a.stopped = true
	a.cancel()
	<-a.exited
	// After Cancel, Wait returns the context's error even for a clean exit.
	if a.err != nil && !a.cmd.ProcessState.Success() {
		t.Errorf("the web app: %v\n%s", a.err, a.log.String())
	}
}

// servedRequest is one line of the app's -log output.
type servedRequest struct {
	method, path string
	status       int
	bytes        int64
	encoding     string
}

// requests returns the requests in the app's log, and reports every other
// line but the first (where it serves) as an error: a template that fails
// to execute, an http.Server error.
func (a *webapp) requests(t *testing.T) []servedRequest {
	t.Helper()
	line := regexp.MustCompile(`^webapp: ([A-Z]+) (\S+) (\d{3}) (\d+) (\S+)$`)
	var reqs []servedRequest
	for i, l := range strings.Split(strings.TrimSuffix(a.log.String(), "\n"), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			if i > 0 {
				t.Errorf("the web app logged: %s", l)
			}
			continue
		}
		status, _ := strconv.Atoi(m[3])
		n, _ := strconv.ParseInt(m[4], 10, 64)
		reqs = append(reqs, servedRequest{m[1], m[2], status, n, m[5]})
	}
	return reqs
}

// syncBuffer is a bytes.Buffer that a process can write while the test
// reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// browser is headless Chromium, driven over the DevTools protocol.
type browser struct {
	cmd     *exec.Cmd
	output  *syncBuffer // its stdout and stderr
	send    *os.File    // to Chromium's fd 3
	recv    *os.File    // from Chromium's fd 4
	session string      // the page's, once attached

	mu      sync.Mutex
	nextID  int
	calls   map[int]chan devtoolsMessage
	events  []devtoolsMessage
	readErr error
	closed  chan struct{} // closed when the pipe from Chromium is

	// stop closes Chromium and waits for it; once is enough.
	stop    func()
	stopped bool
}

// devtoolsMessage is a DevTools protocol message: a command's response
// (ID set) or an event (Method set).
type devtoolsMessage struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// startChromium starts headless Chromium with a fresh profile, and closes
// it when the test ends.
func startChromium(ctx context.Context, t *testing.T) *browser {
	t.Helper()
	home := t.TempDir() // the profile, and a HOME and XDG dirs to keep it from the user's
	toChrome, send, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	recv, fromChrome, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ctx, kill := context.WithCancel(ctx)
	b := &browser{
		output: new(syncBuffer),
		send:   send,
		recv:   recv,
		calls:  make(map[int]chan devtoolsMessage),
		closed: make(chan struct{}),
	}
	b.cmd = exec.CommandContext(ctx, chromiumPath,
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
		"--user-data-dir="+filepath.Join(home, "profile"),
		"--remote-debugging-pipe",
		"about:blank")
	b.cmd.Env = append(os.Environ(),
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"))
	b.cmd.ExtraFiles = []*os.File{toChrome, fromChrome} // fds 3 and 4
	b.cmd.Stdout = b.output
	b.cmd.Stderr = b.output
	b.cmd.WaitDelay = 5 * time.Second
	err = b.cmd.Start()
	toChrome.Close()
	fromChrome.Close()
	if err != nil {
		kill()
		t.Fatal(err)
	}
	go b.read()
	b.stop = func() {
		if b.stopped {
			return
		}
		b.stopped = true
		// Ask it to close, which ends its child processes too; kill it if
		// it has not within 10s.
		closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = b.call(closeCtx, "", "Browser.close", nil, nil) // the pipe may close before it answers
		cancel()
		timer := time.AfterFunc(10*time.Second, kill)
		err := b.cmd.Wait()
		timer.Stop()
		kill()
		b.send.Close()
		b.recv.Close()
		if err != nil && ctx.Err() == nil {
			t.Logf("chromium: %v", err)
		}
	}
	t.Cleanup(func() {
		b.stop()
		if t.Failed() {
			t.Logf("chromium's output:\n%s", b.output.String())
		}
	})
	return b
}

// read reads messages from Chromium until the pipe closes.
func (b *browser) read() {
	r := bufio.NewReader(b.recv)
	var err error
	for {
		var data []byte
		data, err = r.ReadBytes(0)
		if err != nil {
			break
		}
		var msg devtoolsMessage
		if err = json.Unmarshal(data[:len(data)-1], &msg); err != nil {
			break
		}
		b.mu.Lock()
		if msg.ID != 0 {
			if c, ok := b.calls[msg.ID]; ok {
				c <- msg
				delete(b.calls, msg.ID)
			}
		} else {
			b.events = append(b.events, msg)
		}
		b.mu.Unlock()
	}
	b.mu.Lock()
	b.readErr = err
	b.mu.Unlock()
	close(b.closed)
}

// call sends a command, to the browser or to the target of a session, and
// decodes its result into result, if not nil.
func (b *browser) call(ctx context.Context, session, method string, params, result any) error {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	reply := make(chan devtoolsMessage, 1)
	b.calls[id] = reply
	b.mu.Unlock()
	msg := struct {
		ID        int    `json:"id"`
		Method    string `json:"method"`
		SessionID string `json:"sessionId,omitempty"`
		Params    any    `json:"params,omitempty"`
	}{id, method, session, params}
	data, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	b.mu.Lock()
	_, err = b.send.Write(append(data, 0))
	b.mu.Unlock()
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m := <-reply:
		if m.Error != nil {
			return fmt.Errorf("%s: %s (%d)", method, m.Error.Message, m.Error.Code)
		}
		if result != nil {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	case <-b.closed:
		b.mu.Lock()
		defer b.mu.Unlock()
		return fmt.Errorf("%s: chromium closed the pipe: %v", method, b.readErr)
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// load opens pageURL in a new tab, waits for it to load and for its requests
// to end, and runs the probe in it.
func (b *browser) load(ctx context.Context, t *testing.T, pageURL string) *pageResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	checks := make([][2]string, len(styleChecks))
	for i, c := range styleChecks {
		checks[i] = [2]string{c.selector, c.property}
	}
	arg, _ := json.Marshal(checks)
	res := new(pageResult)
	b.evaluate(ctx, t, pageURL, probe+"("+string(arg)+")", res)

	// Every request the page started has ended, and none has started for
	// a moment: the background images of the CSS are in too.
	var quietSince time.Time
	var seen int
	st := b.waitFor(ctx, t, "the requests to end", func(st *pageState) bool {
		if len(st.requests) != seen || !st.allDone() {
			seen, quietSince = len(st.requests), time.Now()
			return false
		}
		return time.Since(quietSince) > 300*time.Millisecond
	})
	res.requests, res.problems = st.requests, st.problems
	return res
}

// evaluate opens pageURL in a new tab, waits for its load event, runs the
// expression in it (awaiting it, when it is a promise) and decodes its
// value, JSON, into result.
func (b *browser) evaluate(ctx context.Context, t *testing.T, pageURL, expression string, result any) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%v\nchromium's output:\n%s", err, b.output.String())
		}
	}
	var target struct{ TargetID string }
	must(b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target))
	var attached struct{ SessionID string }
	must(b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached))
	s := attached.SessionID
	b.mu.Lock()
	b.session = s
	b.mu.Unlock()
	for _, domain := range []string{"Network", "Page", "Runtime", "Log"} {
		must(b.call(ctx, s, domain+".enable", nil, nil))
	}
	var nav struct{ ErrorText string }
	must(b.call(ctx, s, "Page.navigate", map[string]any{"url": pageURL}, &nav))
	if nav.ErrorText != "" {
		t.Fatalf("navigating to %s: %s", pageURL, nav.ErrorText)
	}
	b.waitFor(ctx, t, "the load event", func(st *pageState) bool { return st.loaded })

	var eval struct {
		Result           struct{ Value json.RawMessage }
		ExceptionDetails *struct {
			Text      string
			Exception struct{ Description string }
		}
	}
	must(b.call(ctx, s, "Runtime.evaluate", map[string]any{
		"expression":    expression,
		"awaitPromise":  true,
		"returnByValue": true,
	}, &eval))
	if e := eval.ExceptionDetails; e != nil {
		t.Fatalf("the probe threw: %s %s", e.Text, e.Exception.Description)
	}
	if err := json.Unmarshal(eval.Result.Value, result); err != nil {
		t.Fatalf("the probe's result: %v: %s", err, eval.Result.Value)
	}
}

// pageState is what the events of a session say so far.
type pageState struct {
	loaded   bool
	requests []browserRequest
	problems []string
}

func (st *pageState) allDone() bool {
	for _, r := range st.requests {
		if !r.done {
			return false
		}
	}
	return true
}

// state reads the events of the page's session received so far.
func (b *browser) state() *pageState {
	b.mu.Lock()
	events, session := slices.Clone(b.events), b.session
	b.mu.Unlock()
	st := new(pageState)
	index := make(map[string]int) // request ID → index in st.requests
	for _, e := range events {
		if e.SessionID != session {
			continue
		}
		var p eventParams
		_ = json.Unmarshal(e.Params, &p) // a field of another shape stays zero
		switch e.Method {
		case "Page.loadEventFired":
			st.loaded = true
		case "Network.requestWillBeSent":
			if i, ok := index[p.RequestID]; ok { // a redirect
				st.requests[i].url = p.Request.URL
				continue
			}
			index[p.RequestID] = len(st.requests)
			st.requests = append(st.requests, browserRequest{url: p.Request.URL})
		case "Network.responseReceived":
			if i, ok := index[p.RequestID]; ok {
				st.requests[i].status = p.Response.Status
				st.requests[i].mimeType = p.Response.MimeType
			}
		case "Network.loadingFinished":
			if i, ok := index[p.RequestID]; ok {
				st.requests[i].done = true
			}
		case "Network.loadingFailed":
			if i, ok := index[p.RequestID]; ok {
				r := &st.requests[i]
				r.done = true
				r.failed = strings.TrimSpace(fmt.Sprintf("%s %s", p.ErrorText, p.BlockedReason))
				if p.Canceled {
					r.failed += " (canceled)"
				}
			}
		case "Runtime.exceptionThrown":
			st.problems = append(st.problems, fmt.Sprintf("uncaught: %s %s", p.ExceptionDetails.Text, p.ExceptionDetails.Exception.Description))
		case "Runtime.consoleAPICalled":
			if p.Type == "error" || p.Type == "assert" {
				st.problems = append(st.problems, fmt.Sprintf("console.%s: %v", p.Type, p.Args))
			}
		case "Log.entryAdded":
			if p.Entry.Level == "error" {
				st.problems = append(st.problems, fmt.Sprintf("log: %s (%s)", p.Entry.Text, p.Entry.URL))
			}
		}
	}
	return st
}

// eventParams holds the fields of the events state reads.
type eventParams struct {
	RequestID string
	Request   struct{ URL string }
	Response  struct {
		Status   int
		MimeType string
	}
	ErrorText        string
	Canceled         bool
	BlockedReason    string
	ExceptionDetails struct {
		Text      string
		Exception struct{ Description string }
	}
	Type  string                            // Runtime.consoleAPICalled
	Entry struct{ Level, Text, URL string } // Log.entryAdded
	Args  []struct{ Value any }
}

// waitFor polls the session's state until done says so, and returns it.
func (b *browser) waitFor(ctx context.Context, t *testing.T, what string, done func(*pageState) bool) *pageState {
	t.Helper()
	for {
		st := b.state()
		if done(st) {
			return st
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v\nchromium's output:\n%s", what, ctx.Err(), b.output.String())
		case <-b.closed:
			t.Fatalf("waiting for %s: chromium closed the pipe\nchromium's output:\n%s", what, b.output.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
