package s3

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// credEnv clears every AWS_* variable, so that the environment of the
// machine running the tests cannot leak in, and gives the test a home
// of its own, returned, with no ~/.aws in it.
func credEnv(t *testing.T) string {
	t.Helper()
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "AWS_") {
			t.Setenv(name, "")
		}
	}
	for _, name := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_SESSION_TOKEN",
		"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_PROFILE",
		"AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_ENDPOINT_URL_STS", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_ENDPOINT_URL_SSO",
	} {
		t.Setenv(name, "")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	return home
}

// writeFile writes text to the file name of dir and returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// mustCreds returns the credentials newCredentialSource finds first.
func mustCreds(t *testing.T) creds {
	t.Helper()
	src, err := newCredentialSource(t.Context(), http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	c, err := src.get(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// credsNotFound returns the error of newCredentialSource, failing the
// test if it found credentials.
func credsNotFound(t *testing.T) error {
	t.Helper()
	src, err := newCredentialSource(t.Context(), http.DefaultClient)
	if err == nil {
		c, _ := src.get(t.Context())
		t.Fatalf("found credentials from %s", c.source)
	}
	return err
}

func checkCreds(t *testing.T, got creds, id, secret, token, source string) {
	t.Helper()
	if got.id != id || got.secret != secret || got.token != token || got.source != source {
		t.Errorf("got id %q, secret %q, token %q from %q; want %q, %q, %q from %q",
			got.id, got.secret, got.token, got.source, id, secret, token, source)
	}
}

func TestCredEnvironmentFirst(t *testing.T) {
	home := credEnv(t)
	writeFile(t, home, ".aws/credentials", "[default]\naws_access_key_id = FILEID\naws_secret_access_key = FILESECRET\n")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	// The file alone is used.
	checkCreds(t, mustCreds(t), "FILEID", "FILESECRET", "", "shared credentials file "+filepath.Join(home, ".aws", "credentials")+" (profile default)")

	// The environment comes before it.
	t.Setenv("AWS_ACCESS_KEY_ID", "ENVID")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET")
	t.Setenv("AWS_SESSION_TOKEN", "ENVTOKEN")
	c := mustCreds(t)
	checkCreds(t, c, "ENVID", "ENVSECRET", "ENVTOKEN", "environment")
	if !c.expires.IsZero() {
		t.Errorf("credentials of the environment expire at %v", c.expires)
	}

	// The older names are read too.
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_ACCESS_KEY", "OLDID")
	t.Setenv("AWS_SECRET_KEY", "OLDSECRET")
	checkCreds(t, mustCreds(t), "OLDID", "OLDSECRET", "", "environment")
}

func TestCredEnvironmentHalfSet(t *testing.T) {
	credEnv(t)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", "ENVID")
	err := credsNotFound(t)
	if want := "environment: AWS_ACCESS_KEY_ID is set but not AWS_SECRET_ACCESS_KEY"; err.Error() != want {
		t.Errorf("got error %q, want %q", err, want)
	}
}

func TestCredSharedFiles(t *testing.T) {
	for _, tc := range []struct {
		name        string
		profile     string // AWS_PROFILE
		credentials string // ~/.aws/credentials, "" for none
		config      string // ~/.aws/config, "" for none
		// The credentials wanted, and "credentials" or "config" for the
		// file they come from; or the error wanted, where {credentials}
		// stands for the credentials file's path.
		id, secret, token, file string
		err                     string
	}{{
		name:        "default profile",
		credentials: "[other]\naws_access_key_id=O\naws_secret_access_key=O\n[default]\naws_access_key_id=ID\naws_secret_access_key=SECRET\n",
		id:          "ID", secret: "SECRET", file: "credentials",
	}, {
		name:        "profile from AWS_PROFILE",
		profile:     "work",
		credentials: "[default]\naws_access_key_id=D\naws_secret_access_key=D\n[work]\naws_access_key_id=WORKID\naws_secret_access_key=WORKSECRET\naws_session_token=WORKTOKEN\n",
		id:          "WORKID", secret: "WORKSECRET", token: "WORKTOKEN", file: "credentials",
	}, {
		name: "comments and blank space",
		credentials: "# a comment\n; another\n\n  [ default ]  \n" +
			"\taws_access_key_id   =   ID  # the id\n" +
			"# aws_access_key_id = COMMENTED\n" +
			"aws_secret_access_key=SECRET/with+slash;\r\n" +
			"aws_session_token = \"TOKEN\" ; quoted\n",
		id: "ID", secret: "SECRET/with+slash;", token: "TOKEN", file: "credentials",
	}, {
		name:    "config file profile section",
		profile: "dev",
		config:  "[dev]\naws_access_key_id=BARE\naws_secret_access_key=BARE\n[profile dev]\naws_access_key_id=CFGID\naws_secret_access_key=CFGSECRET\n",
		id:      "CFGID", secret: "CFGSECRET", file: "config",
	}, {
		name:        "credentials file over config file",
		config:      "[default]\naws_access_key_id=CFGID\naws_secret_access_key=CFGSECRET\nregion=eu-west-1\n",
		credentials: "[default]\naws_access_key_id=ID\naws_secret_access_key=SECRET\n",
		id:          "ID", secret: "SECRET", file: "credentials",
	}, {
		// Regression: half a pair in the credentials file does not
		// clobber half of the config file's pair.
		name:        "half pair does not override",
		config:      "[default]\naws_access_key_id=CFGID\naws_secret_access_key=CFGSECRET\n",
		credentials: "[default]\naws_access_key_id=ID\n",
		id:          "CFGID", secret: "CFGSECRET", file: "config",
	}, {
		name:        "credentials file ignores profile sections",
		profile:     "p",
		credentials: "[profile p]\naws_access_key_id=ID\naws_secret_access_key=SECRET\n",
		err:         "none found",
	}, {
		name:        "missing profile",
		profile:     "absent",
		credentials: "[default]\naws_access_key_id=ID\naws_secret_access_key=SECRET\n",
		err:         "none found",
	}, {
		name:        "profile without keys",
		credentials: "[default]\nregion = us-east-1\n",
		err:         "none found",
	}, {
		name:        "id without secret",
		profile:     "half",
		credentials: "[half]\naws_access_key_id = ID\n",
		err:         "shared credentials file {credentials} (profile half): aws_access_key_id without aws_secret_access_key",
	}, {
		name:        "not INI",
		credentials: "[default]\naws_access_key_id\n",
		err:         `{credentials}:2: "aws_access_key_id" is neither a [section] nor a key = value`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			home := credEnv(t)
			t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			t.Setenv("AWS_PROFILE", tc.profile)
			files := map[string]string{
				"credentials": filepath.Join(home, ".aws", "credentials"),
				"config":      filepath.Join(home, ".aws", "config"),
			}
			if tc.credentials != "" {
				writeFile(t, home, ".aws/credentials", tc.credentials)
			}
			if tc.config != "" {
				writeFile(t, home, ".aws/config", tc.config)
			}
			if tc.err != "" {
				want := strings.ReplaceAll(tc.err, "{credentials}", files["credentials"])
				if err := credsNotFound(t); err.Error() != want {
					t.Errorf("got error %q, want %q", err, want)
				}
				return
			}
			profile := tc.profile
			if profile == "" {
				profile = "default"
			}
			source := fmt.Sprintf("shared %s file %s (profile %s)", tc.file, files[tc.file], profile)
			checkCreds(t, mustCreds(t), tc.id, tc.secret, tc.token, source)
		})
	}
}

func TestCredSharedFilesFromEnvironment(t *testing.T) {
	credEnv(t)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	dir := t.TempDir()
	credsFile := writeFile(t, dir, "my-credentials", "[p]\naws_access_key_id=ID\naws_secret_access_key=SECRET\n")
	configFile := writeFile(t, dir, "my-config", "[profile q]\naws_access_key_id=QID\naws_secret_access_key=QSECRET\n")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credsFile)
	t.Setenv("AWS_CONFIG_FILE", configFile)
	t.Setenv("AWS_PROFILE", "p")
	checkCreds(t, mustCreds(t), "ID", "SECRET", "", "shared credentials file "+credsFile+" (profile p)")
	t.Setenv("AWS_PROFILE", "q")
	checkCreds(t, mustCreds(t), "QID", "QSECRET", "", "shared config file "+configFile+" (profile q)")
}

func TestCredProcess(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the credential process is a shell script")
	}
	home := credEnv(t)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	expires := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
	script := writeFile(t, home, "creds.sh", fmt.Sprintf(`#!/bin/sh
[ "$1" = "--role" ] && [ "$2" = "reader" ] || { echo "bad arguments: $*" >&2; exit 3; }
echo '{"Version": 1, "AccessKeyId": "PID", "SecretAccessKey": "PSECRET", "SessionToken": "PTOKEN", "Expiration": "%s"}'
`, expires.Format(time.RFC3339)))
	if err := os.Chmod(script, 0o755); err != nil {
		t.Fatal(err)
	}
	config := writeFile(t, home, ".aws/config", "[default]\ncredential_process = "+script+" --role reader\n")
	c := mustCreds(t)
	checkCreds(t, c, "PID", "PSECRET", "PTOKEN", "credential_process (profile default in shared config file "+config+")")
	if !c.expires.Equal(expires) {
		t.Errorf("got expiry %v, want %v", c.expires, expires)
	}

	// A failing process is an error that says what it printed.
	writeFile(t, home, ".aws/config", "[default]\ncredential_process = "+script+" --role writer\n")
	err := credsNotFound(t)
	if !strings.Contains(err.Error(), "credential_process (profile default in shared config file "+config+"): exit status 3: bad arguments: --role writer") {
		t.Errorf("got error %q", err)
	}
}

func TestCredSSO(t *testing.T) {
	home := credEnv(t)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	expires := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/federation/credentials" ||
			r.URL.Query().Get("account_id") != "123456789012" || r.URL.Query().Get("role_name") != "Reader" ||
			r.Header.Get("x-amz-sso_bearer_token") != "CACHEDTOKEN" {
			t.Errorf("portal got %s %s with token %q", r.Method, r.URL, r.Header.Get("x-amz-sso_bearer_token"))
			http.Error(w, "unexpected", http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, `{"roleCredentials":{"accessKeyId":"SSOID","secretAccessKey":"SSOSECRET","sessionToken":"SSOTOKEN","expiration":%d}}`, expires.UnixMilli())
	}))
	defer portal.Close()
	t.Setenv("AWS_ENDPOINT_URL_SSO", portal.URL)
	t.Setenv("AWS_PROFILE", "sso")
	config := writeFile(t, home, ".aws/config", `[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Reader
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
`)
	sum := sha1.Sum([]byte("corp"))
	cache := ".aws/sso/cache/" + hex.EncodeToString(sum[:]) + ".json"
	writeFile(t, home, cache, fmt.Sprintf(`{"accessToken":"CACHEDTOKEN","expiresAt":%q,"region":"eu-west-1"}`, time.Now().Add(time.Hour).UTC().Format(time.RFC3339)))
	c := mustCreds(t)
	checkCreds(t, c, "SSOID", "SSOSECRET", "SSOTOKEN", "SSO (profile sso in shared config file "+config+")")
	if !c.expires.Equal(expires) {
		t.Errorf("got expiry %v, want %v", c.expires, expires)
	}

	// An expired login is an error that says what to do.
	writeFile(t, home, cache, `{"accessToken":"CACHEDTOKEN","expiresAt":"2020-01-01T00:00:00Z"}`)
	if err := credsNotFound(t); !strings.Contains(err.Error(), "expired at 2020-01-01T00:00:00Z (run aws sso login)") {
		t.Errorf("got error %q", err)
	}
}

// stsServer stands for STS: it checks that each request is an unsigned
// AssumeRoleWithWebIdentity of the role and the token in tokenFile (as
// the file is when the request comes), and answers with credentials
// numbered by the request, that expire after lifetime.
func stsServer(t *testing.T, tokenFile string, lifetime time.Duration) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := os.ReadFile(tokenFile)
		if err != nil {
			t.Error(err)
		}
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		want := map[string]string{
			"Action":           "AssumeRoleWithWebIdentity",
			"Version":          "2011-06-15",
			"RoleArn":          "arn:aws:iam::123456789012:role/publisher",
			"RoleSessionName":  "ci-run",
			"WebIdentityToken": strings.TrimSpace(string(token)),
		}
		for k, v := range want {
			if got := r.PostForm.Get(k); got != v {
				t.Errorf("STS got %s=%q, want %q", k, got, v)
			}
		}
		if r.Method != http.MethodPost || r.URL.Path != "/" || r.Header.Get("Authorization") != "" ||
			r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("STS got %s %s, Content-Type %q, Authorization %q", r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Authorization"))
		}
		i := n.Add(1)
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:ci:publisher</SubjectFromWebIdentityToken>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/publisher/ci-run</Arn><AssumedRoleId>AROA:ci-run</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <SessionToken>TOKEN%d</SessionToken>
      <SecretAccessKey>SECRET%d</SecretAccessKey>
      <Expiration>%s</Expiration>
      <AccessKeyId>ASIA%d</AccessKeyId>
    </Credentials>
    <Audience>sts.amazonaws.com</Audience>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`, i, i, time.Now().Add(lifetime).UTC().Format(time.RFC3339), i)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// webIdentityEnv sets the environment of a Kubernetes pod with a service
// account token for the role, STS at sts, and returns the token file.
func webIdentityEnv(t *testing.T, home, sts string) string {
	tokenFile := writeFile(t, home, "token", "eyJ.first.token\n")
	t.Setenv("AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile)
	t.Setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/publisher")
	t.Setenv("AWS_ROLE_SESSION_NAME", "ci-run")
	t.Setenv("AWS_ENDPOINT_URL_STS", sts)
	return tokenFile
}

func TestCredWebIdentityRefresh(t *testing.T) {
	home := credEnv(t)
	tokenFile := filepath.Join(home, "token")
	sts, requests := stsServer(t, tokenFile, time.Minute)
	webIdentityEnv(t, home, sts.URL)

	src, err := newCredentialSource(t.Context(), http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	if n := requests.Load(); n != 1 {
		t.Fatalf("STS got %d requests, want 1", n)
	}
	// They expire within the 5 minutes: each get fetches them again, with
	// the token as the file now has it (the server checks).
	for i := 2; i <= 3; i++ {
		writeFile(t, home, "token", fmt.Sprintf("eyJ.token.%d", i))
		c, err := src.get(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		checkCreds(t, c, fmt.Sprint("ASIA", i), fmt.Sprint("SECRET", i), fmt.Sprint("TOKEN", i), "web identity")
		if d := time.Until(c.expires); d < 50*time.Second || d > time.Minute {
			t.Errorf("credentials expire in %v, want about a minute", d)
		}
	}
	if n := requests.Load(); n != 3 {
		t.Errorf("STS got %d requests, want 3", n)
	}
}

func TestCredWebIdentityNoRefreshBeforeWindow(t *testing.T) {
	home := credEnv(t)
	sts, requests := stsServer(t, filepath.Join(home, "token"), time.Hour)
	webIdentityEnv(t, home, sts.URL)
	src, err := newCredentialSource(t.Context(), http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		c, err := src.get(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		checkCreds(t, c, "ASIA1", "SECRET1", "TOKEN1", "web identity")
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("STS got %d requests, want 1", n)
	}
}

func TestCredWebIdentityError(t *testing.T) {
	home := credEnv(t)
	sts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>AccessDenied</Code>
    <Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message>
  </Error>
  <RequestId>8e2a8f2b-7fd5-4f4c-9b1d-2a2b0c0f9f0e</RequestId>
</ErrorResponse>`)
	}))
	defer sts.Close()
	webIdentityEnv(t, home, sts.URL)
	err := credsNotFound(t)
	want := "web identity: STS " + sts.URL + " answered 403 AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity"
	if err.Error() != want {
		t.Errorf("got error %q, want %q", err, want)
	}
}

func TestCredWebIdentityWithoutRole(t *testing.T) {
	home := credEnv(t)
	webIdentityEnv(t, home, "http://127.0.0.1:1")
	t.Setenv("AWS_ROLE_ARN", "")
	err := credsNotFound(t)
	if want := "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but not AWS_ROLE_ARN"; err.Error() != want {
		t.Errorf("got error %q, want %q", err, want)
	}
}

// containerServer stands for the ECS or EKS agent: it serves credentials
// at /creds to requests with the Authorization header auth.
func containerServer(t *testing.T, auth string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/creds" {
			t.Errorf("container endpoint got %s %s", r.Method, r.URL)
		}
		if got := r.Header.Get("Authorization"); got != auth {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"code":"AccessDenied","message":"Unable to validate token"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"AccessKeyId":"CID","SecretAccessKey":"CSECRET","Token":"CTOKEN","AccountId":"123456789012","Expiration":%q}`,
			time.Now().Add(6*time.Hour).UTC().Format(time.RFC3339))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCredContainer(t *testing.T) {
	t.Run("token", func(t *testing.T) {
		credEnv(t)
		srv := containerServer(t, "Basic c2VjcmV0")
		t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", srv.URL+"/creds")
		t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic c2VjcmV0")
		c := mustCreds(t)
		checkCreds(t, c, "CID", "CSECRET", "CTOKEN", "container")
		if d := time.Until(c.expires); d < 5*time.Hour {
			t.Errorf("credentials expire in %v, want about 6 hours", d)
		}
	})
	t.Run("token file", func(t *testing.T) {
		home := credEnv(t)
		srv := containerServer(t, "eks-pod-identity-token")
		t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", srv.URL+"/creds")
		// The file's token is the one sent, not the variable's.
		t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "stale")
		t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", writeFile(t, home, "eks-token", "eks-pod-identity-token\n"))
		checkCreds(t, mustCreds(t), "CID", "CSECRET", "CTOKEN", "container")
	})
	t.Run("refused", func(t *testing.T) {
		credEnv(t)
		srv := containerServer(t, "right")
		t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", srv.URL+"/creds")
		t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong")
		err := credsNotFound(t)
		want := "container credentials " + srv.URL + "/creds answered 401 Unauthorized: {\"code\":\"AccessDenied\",\"message\":\"Unable to validate token\"}"
		if err.Error() != want {
			t.Errorf("got error %q, want %q", err, want)
		}
	})
	t.Run("remote http", func(t *testing.T) {
		// The token is not sent in the clear to another host.
		credEnv(t)
		t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.1/creds")
		t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "secret")
		err := credsNotFound(t)
		want := "container credentials http://192.0.2.1/creds: http to 192.0.2.1, which is not this host nor the ECS or EKS agent"
		if err.Error() != want {
			t.Errorf("got error %q, want %q", err, want)
		}
	})
}

// imdsServer stands for EC2 instance metadata with the role "publisher".
// With v2, it gives session tokens and requires one; without, it answers
// the token's PUT with 405, as a service that only has IMDSv1 does
// behind some proxies. It counts the requests it gets.
func imdsServer(t *testing.T, v2 bool) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		token := r.Header.Get("X-aws-ec2-metadata-token")
		switch {
		case r.URL.Path == "/latest/api/token":
			if r.Method != http.MethodPut || r.Header.Get("X-aws-ec2-metadata-token-ttl-seconds") != "21600" {
				t.Errorf("IMDS got %s %s with TTL %q", r.Method, r.URL.Path, r.Header.Get("X-aws-ec2-metadata-token-ttl-seconds"))
			}
			if !v2 {
				w.WriteHeader(http.StatusMethodNotAllowed)
				return
			}
			fmt.Fprint(w, "AQAEAFsession-token==")
			return
		case r.Method != http.MethodGet:
			t.Errorf("IMDS got %s %s", r.Method, r.URL.Path)
		case v2 && token != "AQAEAFsession-token==":
			t.Errorf("IMDS got %s with token %q", r.URL.Path, token)
			w.WriteHeader(http.StatusUnauthorized)
			return
		case !v2 && token != "":
			t.Errorf("IMDSv1 got %s with token %q", r.URL.Path, token)
		}
		switch r.URL.Path {
		case "/latest/meta-data/iam/security-credentials/":
			fmt.Fprint(w, "publisher\n")
		case "/latest/meta-data/iam/security-credentials/publisher":
			fmt.Fprintf(w, `{
  "Code" : "Success",
  "LastUpdated" : "2026-01-01T00:00:00Z",
  "Type" : "AWS-HMAC",
  "AccessKeyId" : "IMDSID",
  "SecretAccessKey" : "IMDSSECRET",
  "Token" : "IMDSTOKEN",
  "Expiration" : %q
}`, time.Now().Add(6*time.Hour).UTC().Format(time.RFC3339))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestCredIMDSv2(t *testing.T) {
	credEnv(t)
	srv, n := imdsServer(t, true)
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.URL)
	checkCreds(t, mustCreds(t), "IMDSID", "IMDSSECRET", "IMDSTOKEN", "EC2 instance metadata")
	if got := n.Load(); got != 3 {
		t.Errorf("IMDS got %d requests, want 3 (token, role, credentials)", got)
	}
}

func TestCredIMDSv1Fallback(t *testing.T) {
	credEnv(t)
	srv, _ := imdsServer(t, false)
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.URL+"/")
	checkCreds(t, mustCreds(t), "IMDSID", "IMDSSECRET", "IMDSTOKEN", "EC2 instance metadata")
}

func TestCredMissingFileGoesOn(t *testing.T) {
	// No ~/.aws files, and AWS_SHARED_CREDENTIALS_FILE naming one that
	// is not there: the instance's role is next.
	home := credEnv(t)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "absent"))
	srv, _ := imdsServer(t, true)
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.URL)
	checkCreds(t, mustCreds(t), "IMDSID", "IMDSSECRET", "IMDSTOKEN", "EC2 instance metadata")
}

func TestCredIMDSNoRole(t *testing.T) {
	credEnv(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			fmt.Fprint(w, "token")
			return
		}
		http.NotFound(w, r) // an instance without a role
	}))
	defer srv.Close()
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.URL)
	if err := credsNotFound(t); err.Error() != "none found" {
		t.Errorf("got error %q, want none found", err)
	}
}

func TestCredIMDSUnreachable(t *testing.T) {
	credEnv(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there now
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url)
	if err := credsNotFound(t); err.Error() != "none found" {
		t.Errorf("got error %q, want none found", err)
	}
}

func TestCredMetadataDisabled(t *testing.T) {
	credEnv(t)
	srv, n := imdsServer(t, true)
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.URL)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	if err := credsNotFound(t); err.Error() != "none found" {
		t.Errorf("got error %q, want none found", err)
	}
	if got := n.Load(); got != 0 {
		t.Errorf("IMDS got %d requests, want none", got)
	}
}

func TestCredConcurrentGet(t *testing.T) {
	home := credEnv(t)
	tokenFile := filepath.Join(home, "token")
	var inFlight, most atomic.Int32
	sts, requests := stsServer(t, tokenFile, time.Minute)
	// Count the requests STS has at once, through a proxy of it.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(time.Millisecond)
		sts.Config.Handler.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	webIdentityEnv(t, home, proxy.URL)
	src, err := newCredentialSource(t.Context(), http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	const gets = 20
	var wg sync.WaitGroup
	got := make([]creds, gets)
	errs := make([]error, gets)
	for i := range gets {
		wg.Go(func() { got[i], errs[i] = src.get(t.Context()) })
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range gets {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if got[i].source != "web identity" || !strings.HasPrefix(got[i].id, "ASIA") || strings.TrimPrefix(got[i].secret, "SECRET") != strings.TrimPrefix(got[i].id, "ASIA") {
			t.Errorf("get %d: id %q, secret %q from %q", i, got[i].id, got[i].secret, got[i].source)
		}
		if seen[got[i].id] {
			t.Errorf("get %d: credentials %s handed out twice, though each get refreshes them", i, got[i].id)
		}
		seen[got[i].id] = true
	}
	if n := requests.Load(); n != gets+1 {
		t.Errorf("STS got %d requests, want %d", n, gets+1)
	}
	if m := most.Load(); m != 1 {
		t.Errorf("STS had %d requests at once, want 1", m)
	}
}

func TestCredGetHonoursContext(t *testing.T) {
	home := credEnv(t)
	release := make(chan struct{})
	var requests atomic.Int32
	sts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) > 1 {
			<-release // the refresh hangs
		}
		fmt.Fprintf(w, `<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>
<AccessKeyId>ASIA</AccessKeyId><SecretAccessKey>SECRET</SecretAccessKey><SessionToken>T</SessionToken>
<Expiration>%s</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`,
			time.Now().Add(time.Minute).UTC().Format(time.RFC3339))
	}))
	defer sts.Close()
	defer close(release)
	webIdentityEnv(t, home, sts.URL)
	src, err := newCredentialSource(t.Context(), http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	// One get is stuck refreshing; another, waiting its turn, and the
	// stuck one both give up when their contexts end.
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	errs := make(chan error, 2)
	go func() { _, err := src.get(ctx); errs <- err }()
	for requests.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	go func() { _, err := src.get(ctx); errs <- err }()
	for range 2 {
		if err := <-errs; !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got error %v, want the context's deadline", err)
		}
	}
}

// TestCredRefreshFails: a refresh that fails while the credentials in
// hand have more than a minute left hands those out, and tries again at
// the next get; one that fails closer to their end is an error.
func TestCredRefreshFails(t *testing.T) {
	var calls int
	outage := errors.New("STS is away")
	s := &credentialSource{
		fetch: func(context.Context) (creds, error) { calls++; return creds{}, outage },
		turn:  make(chan struct{}, 1),
		cur:   creds{id: "OLD", secret: "s", expires: time.Now().Add(3 * time.Minute), source: "web identity"},
	}
	for range 2 {
		if c, err := s.get(t.Context()); err != nil || c.id != "OLD" {
			t.Errorf("with 3 minutes left: %+v, %v", c, err)
		}
	}
	if calls != 2 {
		t.Errorf("%d refreshes tried, want one a get", calls)
	}
	s.cur.expires = time.Now().Add(30 * time.Second)
	if _, err := s.get(t.Context()); !errors.Is(err, outage) || !strings.Contains(err.Error(), "refreshing the credentials of web identity") {
		t.Errorf("with 30 seconds left: %v", err)
	}
}
