package testenv

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// S3 is a real S3-compatible server (versitygw, on its posix back end)
// that [S3Server] started for one test on 127.0.0.1, with one account and
// one empty bucket.
type S3 struct {
	Endpoint             string // "http://127.0.0.1:PORT"
	Region               string
	AccessKey, SecretKey string
	Bucket               string // an empty bucket made for this caller

	t       TB
	bin     string
	dir     string // the server's data: one directory per bucket
	addr    string // 127.0.0.1:PORT
	logPath string // the server's output, appended to by every start

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// S3ServerInstall is how a test's skip message says to build the server.
const S3ServerInstall = "export STAPLER_S3_SERVER=$(bash testdata/s3/server.sh ~/.cache/stapler-tools)"

// s3Wait bounds how long a start may take before the test fails: not a
// timed assertion, only the end of a wait for a server that never answers.
const s3Wait = 2 * time.Minute

// S3Server starts a real S3-compatible server for the test, on a free
// port of 127.0.0.1 and its own data directory, makes an empty bucket in
// it, and stops it when the test ends. Each call starts a server of its
// own, so a test may [S3.Kill] and [S3.Start] it without disturbing
// another. The server is the versitygw binary that $STAPLER_S3_SERVER
// names (testdata/s3/server.sh builds it and prints its path); without
// it, the test is skipped, or fails under CI (see the package doc).
//
// t must also have Cleanup and TempDir, as a *testing.T or *testing.B has.
func S3Server(t TB) *S3 {
	t.Helper()
	bin := os.Getenv("STAPLER_S3_SERVER")
	var err error
	if bin == "" {
		err = errors.New("STAPLER_S3_SERVER is not set")
	} else {
		_, err = os.Stat(bin)
	}
	if err != nil {
		missing(t, "an S3-compatible server (versitygw)", err, S3ServerInstall)
		return nil
	}
	tt, ok := t.(interface {
		Cleanup(func())
		TempDir() string
	})
	if !ok {
		t.Fatalf("testenv.S3Server: %T has no Cleanup and TempDir: give it a *testing.T or *testing.B", t)
		return nil
	}
	base := tt.TempDir()
	s := &S3{
		Region:    "us-east-1",
		AccessKey: "stapler" + randomHex(t, 6),
		SecretKey: randomHex(t, 20),
		Bucket:    "static",
		t:         t,
		bin:       bin,
		dir:       filepath.Join(base, "data"),
		logPath:   filepath.Join(base, "server.log"),
	}
	if err := os.Mkdir(s.dir, 0o755); err != nil {
		t.Fatalf("testenv.S3Server: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv.S3Server: no free port: %v", err)
	}
	s.addr = l.Addr().String()
	l.Close()
	s.Endpoint = "http://" + s.addr
	tt.Cleanup(s.stop)
	s.Start()
	resp, err := s.do(http.MethodPut, "/"+s.Bucket, nil, nil)
	if err != nil {
		t.Fatalf("testenv.S3Server: making bucket %s: %v", s.Bucket, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("testenv.S3Server: making bucket %s: %s", s.Bucket, resp.Status)
	}
	return s
}

// Start starts the server again, on the same data and port, and returns
// when it answers. It ends the test if the server exits or does not
// answer. Starting a server that runs already does nothing.
func (s *S3) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return
	}
	log, err := os.OpenFile(s.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		s.t.Fatalf("testenv.S3.Start: %v", err)
	}
	defer log.Close()
	cmd := exec.Command(s.bin,
		"--port", s.addr,
		"--access", s.AccessKey,
		"--secret", s.SecretKey,
		"--region", s.Region,
		"posix", s.dir)
	// Only what it needs of the environment: a ROOT_ACCESS_KEY or VGW_*
	// variable of the caller's would change its set-up.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + filepath.Dir(s.dir)}
	cmd.Dir = filepath.Dir(s.dir)
	cmd.Stdout = log
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("testenv.S3.Start: %v", err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	s.cmd, s.done = cmd, done

	deadline := time.Now().Add(s3Wait)
	for {
		// Any answer over HTTP will do: unsigned, the listing of the
		// buckets is refused.
		if resp, err := http.Get(s.Endpoint + "/"); err == nil {
			resp.Body.Close()
			return
		}
		select {
		case <-done:
			s.cmd = nil
			s.t.Fatalf("testenv.S3.Start: %s exited (%v) before it answered on %s:\n%s", s.bin, cmd.ProcessState, s.addr, s.log())
			return
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("testenv.S3.Start: %s did not answer on %s within %v:\n%s", s.bin, s.addr, s3Wait, s.log())
			return
		}
	}
}

// Kill ends the server process with SIGKILL, as a crash or a power cut
// would, and waits for it to exit. Its data stays for [S3.Start].
func (s *S3) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
	s.cmd = nil
}

// stop ends the server at the test's end.
func (s *S3) stop() { s.Kill() }

// log returns the end of the server's output, for a failure's message.
func (s *S3) log() string {
	b, _ := os.ReadFile(s.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// do sends a request signed with the server's account (AWS Signature
// Version 4, path-style), for what the harness itself needs: making the
// bucket, and its own test.
func (s *S3) do(method, path string, header http.Header, body []byte) (*http.Response, error) {
	req, err := s.signedRequest(method, path, header, body, s.SecretKey)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// signedRequest makes a request for path (with its query, if any) signed
// with secret, every header of header among those signed.
func (s *S3) signedRequest(method, path string, header http.Header, body []byte, secret string) (*http.Request, error) {
	u, err := url.Parse(s.Endpoint + path)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(context.Background(), method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.URL.RawPath = uriEncode(u.Path, false)
	for k, v := range header {
		req.Header[k] = v
	}
	now := time.Now().UTC()
	amzDate := now.Format("20060102T150405Z")
	day := now.Format("20060102")
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Date", amzDate)
	req.Header.Set("X-Amz-Content-Sha256", payload)

	names := []string{"host"}
	values := map[string]string{"host": u.Host}
	for k, v := range req.Header {
		lk := strings.ToLower(k)
		names = append(names, lk)
		values[lk] = strings.TrimSpace(strings.Join(v, ","))
	}
	sort.Strings(names)
	var canonHeaders strings.Builder
	for _, n := range names {
		fmt.Fprintf(&canonHeaders, "%s:%s\n", n, values[n])
	}
	signed := strings.Join(names, ";")

	q := u.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var query []string
	for _, k := range keys {
		for _, v := range q[k] {
			query = append(query, uriEncode(k, true)+"="+uriEncode(v, true))
		}
	}
	canon := strings.Join([]string{method, uriEncode(u.Path, false), strings.Join(query, "&"), canonHeaders.String(), signed, payload}, "\n")
	scope := day + "/" + s.Region + "/s3/aws4_request"
	h := sha256.Sum256([]byte(canon))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(h[:])
	key := []byte("AWS4" + secret)
	for _, part := range []string{day, s.Region, "s3", "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	sig := hex.EncodeToString(hmacSHA256(key, toSign))
	req.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s", s.AccessKey, scope, signed, sig))
	return req, nil
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// uriEncode encodes s as Signature Version 4 does: every byte but the
// unreserved ones, and "/" too when slash.
func uriEncode(s string, slash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && !slash:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func randomHex(t TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return hex.EncodeToString(b)
}
