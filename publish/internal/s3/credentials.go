package s3

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// creds are what a request is signed with.
type creds struct {
	id, secret, token string    // access key id, secret access key, session token ("" for none)
	expires           time.Time // zero: they do not expire
	// source says where they came from, for messages: "environment",
	// "shared credentials file /x (profile p)", "web identity",
	// "container", "EC2 instance metadata".
	source string
}

// credentialRefreshWindow is how long before they expire credentials are
// fetched again, so that no request is signed with credentials that
// expire on its way.
const credentialRefreshWindow = 5 * time.Minute

// errNotConfigured is what a place that holds no credentials answers, as
// opposed to one that should have had some and failed to give them.
var errNotConfigured = errors.New("not configured")

// credFetcher fetches the credentials of one place: errNotConfigured when
// it has none, another error (naming the place) when it failed to give
// them.
type credFetcher func(context.Context) (creds, error)

// credentialSource hands out the credentials of the first standard place
// that has any, fetching them again from the same place when they are
// within 5 minutes of expiring. Safe for concurrent use.
type credentialSource struct {
	fetch credFetcher
	// turn is held by the one get that reads or refreshes cur. It is a
	// channel rather than a mutex so that a get waiting for a refresh
	// gives up when its context ends.
	turn chan struct{}
	cur  creds
}

// newCredentialSource looks in the standard places, in the AWS SDKs'
// order, and returns a source for the first that has credentials; an
// error saying none were found (and, for each place tried that failed
// for a reason other than "not configured", why) when none has. client
// carries the HTTP requests of web identity, SSO, container and instance
// metadata (a 5 s timeout is the caller's).
//
// The places are the environment, the shared files (credentials and
// config, with AWS_PROFILE), then, unless [metadataDisabled], the
// instance's role: web identity, else container, else EC2 instance
// metadata, chosen by the environment as the SDKs choose. A place that
// fails does not stop the search: as with minio-go's chain, the next is
// tried, and the failure is reported only if no place has credentials.
func newCredentialSource(ctx context.Context, client *http.Client) (*credentialSource, error) {
	if client == nil {
		client = http.DefaultClient
	}
	places := []credFetcher{fromEnvironment, fromSharedFiles(client)}
	if !metadataDisabled() {
		places = append(places, fromRole(client))
	}
	var failures []any
	for _, fetch := range places {
		c, err := fetch(ctx)
		switch {
		case err == nil:
			return &credentialSource{fetch: fetch, turn: make(chan struct{}, 1), cur: c}, nil
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case !errors.Is(err, errNotConfigured):
			failures = append(failures, err)
		}
	}
	if len(failures) == 0 {
		return nil, errors.New("none found")
	}
	// "%w; %w; …": one line, and each failure still seen by errors.Is.
	return nil, fmt.Errorf(strings.Repeat("; %w", len(failures))[2:], failures...)
}

// get returns current credentials, refreshed when needed.
func (s *credentialSource) get(ctx context.Context) (creds, error) {
	select {
	case s.turn <- struct{}{}:
	case <-ctx.Done():
		return creds{}, ctx.Err()
	}
	defer func() { <-s.turn }()
	if s.cur.expires.IsZero() || time.Until(s.cur.expires) > credentialRefreshWindow {
		return s.cur, nil
	}
	c, err := s.fetch(ctx)
	if err != nil {
		// As the AWS SDKs do: while the credentials in hand have more
		// than a minute left, a failed refresh (STS or the metadata
		// service briefly away) does not fail the request; the next get
		// tries again.
		if time.Until(s.cur.expires) > time.Minute {
			return s.cur, nil
		}
		return creds{}, fmt.Errorf("refreshing the credentials of %s: %w", s.cur.source, err)
	}
	s.cur = c
	return c, nil
}

// fromEnvironment gives the credentials of AWS_ACCESS_KEY_ID (or
// AWS_ACCESS_KEY), AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY) and
// AWS_SESSION_TOKEN, when both the id and the secret are set.
func fromEnvironment(context.Context) (creds, error) {
	id, idName := firstEnv("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY")
	secret, secretName := firstEnv("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY")
	switch {
	case id != "" && secret != "":
		return creds{id: id, secret: secret, token: os.Getenv("AWS_SESSION_TOKEN"), source: "environment"}, nil
	case id != "":
		return creds{}, fmt.Errorf("environment: %s is set but not %s", idName, secretName)
	case secret != "":
		return creds{}, fmt.Errorf("environment: %s is set but not %s", secretName, idName)
	}
	return creds{}, errNotConfigured
}

// firstEnv returns the value of the first of the variables that is set,
// with its name; "" and the first name when none is.
func firstEnv(names ...string) (value, name string) {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v, n
		}
	}
	return "", names[0]
}

// httpDo sends req with client and returns the answer's status and body
// (its first MiB). ctx ending is reported as ctx's error.
func httpDo(ctx context.Context, client *http.Client, req *http.Request) (status string, code int, body []byte, err error) {
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		if ctx.Err() != nil {
			return "", 0, nil, ctx.Err()
		}
		return "", 0, nil, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", 0, nil, fmt.Errorf("reading the answer: %w", err)
	}
	return resp.Status, resp.StatusCode, body, nil
}

// briefBody is the start of an error answer's body, on one line, for a
// message.
func briefBody(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}

// roleCredentials is the JSON answer of the container endpoint and of
// EC2 instance metadata (which adds Code).
type roleCredentials struct {
	Code            string
	Message         string
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	Token           string
	Expiration      time.Time
}

// decodeRoleCredentials reads body as a [roleCredentials] answer and
// returns the credentials it holds, with source.
func decodeRoleCredentials(body []byte, source string) (creds, error) {
	var rc roleCredentials
	if err := json.Unmarshal(body, &rc); err != nil {
		return creds{}, fmt.Errorf("the answer is not credentials: %w", err)
	}
	if rc.Code != "" && rc.Code != "Success" {
		return creds{}, fmt.Errorf("the answer is %s: %s", rc.Code, rc.Message)
	}
	if rc.AccessKeyID == "" || rc.SecretAccessKey == "" {
		return creds{}, errors.New("the answer has no AccessKeyId or no SecretAccessKey")
	}
	return creds{id: rc.AccessKeyID, secret: rc.SecretAccessKey, token: rc.Token, expires: rc.Expiration, source: source}, nil
}

// fromRole returns the fetcher of the instance's role that the
// environment names: web identity when AWS_WEB_IDENTITY_TOKEN_FILE is
// set, else the container endpoint when AWS_CONTAINER_CREDENTIALS_*_URI
// is, else EC2 instance metadata.
func fromRole(client *http.Client) credFetcher {
	if tokenFile := os.Getenv("AWS_WEB_IDENTITY_TOKEN_FILE"); tokenFile != "" {
		return fromWebIdentity(client, tokenFile)
	}
	if rel := os.Getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel != "" {
		return fromContainer(client, "http://169.254.170.2"+rel)
	}
	if full := os.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"); full != "" {
		return fromContainer(client, full)
	}
	endpoint := strings.TrimSuffix(os.Getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT"), "/")
	if endpoint == "" {
		endpoint = "http://169.254.169.254"
	}
	return fromInstanceMetadata(client, endpoint)
}

// fromWebIdentity returns the fetcher that trades the token in tokenFile
// (read again each time, as Kubernetes rotates it) for the credentials of
// AWS_ROLE_ARN, with STS's AssumeRoleWithWebIdentity.
func fromWebIdentity(client *http.Client, tokenFile string) credFetcher {
	role := os.Getenv("AWS_ROLE_ARN")
	session := os.Getenv("AWS_ROLE_SESSION_NAME")
	if session == "" {
		session = "stapler-" + strconv.FormatInt(time.Now().UnixNano(), 10)
	}
	endpoint := os.Getenv("AWS_ENDPOINT_URL_STS")
	if endpoint == "" {
		endpoint = "https://sts.amazonaws.com"
		if region, _ := firstEnv("AWS_REGION", "AWS_DEFAULT_REGION"); region != "" {
			endpoint = "https://sts." + region + "." + awsDomain(region)
		}
	}
	return func(ctx context.Context) (creds, error) {
		if role == "" {
			return creds{}, errors.New("web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but not AWS_ROLE_ARN")
		}
		token, err := os.ReadFile(tokenFile)
		if err != nil {
			return creds{}, fmt.Errorf("web identity: %w", err)
		}
		form := url.Values{
			"Action":           {"AssumeRoleWithWebIdentity"},
			"Version":          {"2011-06-15"},
			"RoleArn":          {role},
			"RoleSessionName":  {session},
			"WebIdentityToken": {strings.TrimSpace(string(token))},
		}
		req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
		if err != nil {
			return creds{}, fmt.Errorf("web identity: STS endpoint %q: %w", endpoint, err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		status, code, body, err := httpDo(ctx, client, req)
		if err != nil {
			return creds{}, fmt.Errorf("web identity: STS %s: %w", endpoint, err)
		}
		if code != http.StatusOK {
			return creds{}, fmt.Errorf("web identity: STS %s answered %s", endpoint, badAnswer(status, code, body))
		}
		var answer struct {
			C struct {
				AccessKeyID     string `xml:"AccessKeyId"`
				SecretAccessKey string
				SessionToken    string
				Expiration      time.Time
			} `xml:"AssumeRoleWithWebIdentityResult>Credentials"`
		}
		if err := xml.Unmarshal(body, &answer); err != nil {
			return creds{}, fmt.Errorf("web identity: STS %s answered what is not AssumeRoleWithWebIdentityResponse XML: %w", endpoint, err)
		}
		if answer.C.AccessKeyID == "" || answer.C.SecretAccessKey == "" {
			return creds{}, fmt.Errorf("web identity: STS %s answered without AccessKeyId or SecretAccessKey", endpoint)
		}
		return creds{id: answer.C.AccessKeyID, secret: answer.C.SecretAccessKey, token: answer.C.SessionToken, expires: answer.C.Expiration, source: "web identity"}, nil
	}
}

// badAnswer says what an error answer says: its status code with the
// Code and Message of its XML error (STS's form), or else its status and
// the start of its body.
func badAnswer(status string, code int, body []byte) string {
	// STS wraps the error in <ErrorResponse>; S3-like servers answer a
	// bare <Error>.
	var e struct {
		WrappedCode    string `xml:"Error>Code"`
		WrappedMessage string `xml:"Error>Message"`
		Code, Message  string
	}
	if xml.Unmarshal(body, &e) == nil {
		if e.WrappedCode != "" {
			return fmt.Sprintf("%d %s: %s", code, e.WrappedCode, e.WrappedMessage)
		}
		if e.Code != "" {
			return fmt.Sprintf("%d %s: %s", code, e.Code, e.Message)
		}
	}
	if b := briefBody(body); b != "" {
		return status + ": " + b
	}
	return status
}

// fromContainer returns the fetcher of the credentials that the ECS or
// EKS Pod Identity agent serves at endpoint. The Authorization header is
// the contents of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read again each
// time, as EKS rotates it) or else AWS_CONTAINER_AUTHORIZATION_TOKEN.
func fromContainer(client *http.Client, endpoint string) credFetcher {
	token := os.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
	tokenFile := os.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
	return func(ctx context.Context) (creds, error) {
		where := "container credentials " + endpoint
		if err := checkContainerEndpoint(ctx, endpoint); err != nil {
			return creds{}, fmt.Errorf("%s: %w", where, err)
		}
		auth := token
		if tokenFile != "" {
			b, err := os.ReadFile(tokenFile)
			if err != nil {
				return creds{}, fmt.Errorf("%s: authorization token: %w", where, err)
			}
			auth = strings.TrimSpace(string(b))
		}
		req, err := http.NewRequest(http.MethodGet, endpoint, nil)
		if err != nil {
			return creds{}, fmt.Errorf("%s: %w", where, err)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		status, code, body, err := httpDo(ctx, client, req)
		if err != nil {
			return creds{}, fmt.Errorf("%s: %w", where, err)
		}
		if code != http.StatusOK {
			return creds{}, fmt.Errorf("%s answered %s", where, badAnswer(status, code, body))
		}
		c, err := decodeRoleCredentials(body, "container")
		if err != nil {
			return creds{}, fmt.Errorf("%s: %w", where, err)
		}
		return c, nil
	}
}

// checkContainerEndpoint refuses to send a container authorization
// token in the clear anywhere but to this host or to the link-local
// addresses of the ECS and EKS agents, as the AWS SDKs refuse.
func checkContainerEndpoint(ctx context.Context, endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return errors.New("not a URL")
	}
	if u.Scheme == "https" {
		return nil
	}
	if u.Scheme != "http" {
		return fmt.Errorf("scheme %q is neither http nor https", u.Scheme)
	}
	host := u.Hostname()
	switch host {
	case "localhost", "169.254.170.2", "169.254.170.23", "fd00:ec2::23":
		return nil
	}
	addrs := []string{host}
	if net.ParseIP(host) == nil {
		if addrs, err = net.DefaultResolver.LookupHost(ctx, host); err != nil {
			return err
		}
	}
	for _, a := range addrs {
		if ip := net.ParseIP(a); ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("http to %s, which is not this host nor the ECS or EKS agent", host)
		}
	}
	return nil
}

// fromInstanceMetadata returns the fetcher of the credentials of the EC2
// instance's role, from the instance metadata service at endpoint. A
// service that cannot be reached means no instance (not configured).
func fromInstanceMetadata(client *http.Client, endpoint string) credFetcher {
	where := "EC2 instance metadata " + endpoint
	const rolesPath = "/latest/meta-data/iam/security-credentials/"
	return func(ctx context.Context) (creds, error) {
		token, err := imdsToken(ctx, client, endpoint)
		if err != nil {
			return creds{}, err
		}
		get := func(path string) (string, int, []byte, error) {
			req, err := http.NewRequest(http.MethodGet, endpoint+path, nil)
			if err != nil {
				return "", 0, nil, fmt.Errorf("%s: %w", where, err)
			}
			if token != "" {
				req.Header.Set("X-aws-ec2-metadata-token", token)
			}
			status, code, body, err := httpDo(ctx, client, req)
			if err != nil && ctx.Err() == nil {
				err = fmt.Errorf("%s: %w: %v", where, errNotConfigured, err)
			}
			return status, code, body, err
		}
		status, code, body, err := get(rolesPath)
		switch {
		case err != nil:
			return creds{}, err
		case code == http.StatusNotFound:
			return creds{}, errNotConfigured // an instance without a role
		case code != http.StatusOK:
			return creds{}, fmt.Errorf("%s: %s answered %s", where, rolesPath, badAnswer(status, code, body))
		}
		role, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
		role = strings.TrimSpace(role)
		if role == "" {
			return creds{}, errNotConfigured
		}
		status, code, body, err = get(rolesPath + url.PathEscape(role))
		if err != nil {
			return creds{}, err
		}
		if code != http.StatusOK {
			return creds{}, fmt.Errorf("%s: %s answered %s", where, rolesPath+role, badAnswer(status, code, body))
		}
		c, err := decodeRoleCredentials(body, "EC2 instance metadata")
		if err != nil {
			return creds{}, fmt.Errorf("%s: role %s: %w", where, role, err)
		}
		return c, nil
	}
}

// imdsToken asks the metadata service at endpoint for an IMDSv2 session
// token. It returns "" (IMDSv1, no token) when the service does not give
// tokens (403, 404, 405) or gives no answer within a second, which is
// what happens in a container when the instance's hop limit is 1 and the
// answer is dropped; errNotConfigured when there is no service.
func imdsToken(ctx context.Context, client *http.Client, endpoint string) (string, error) {
	tctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequest(http.MethodPut, endpoint+"/latest/api/token", nil)
	if err != nil {
		return "", fmt.Errorf("EC2 instance metadata %s: %w", endpoint, err)
	}
	req.Header.Set("X-aws-ec2-metadata-token-ttl-seconds", "21600")
	status, code, body, err := httpDo(tctx, client, req)
	switch {
	case ctx.Err() != nil:
		return "", ctx.Err()
	case errors.Is(err, context.DeadlineExceeded):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("EC2 instance metadata %s: %w: %v", endpoint, errNotConfigured, err)
	case code == http.StatusForbidden, code == http.StatusNotFound, code == http.StatusMethodNotAllowed:
		return "", nil
	case code != http.StatusOK:
		return "", fmt.Errorf("EC2 instance metadata %s: /latest/api/token answered %s", endpoint, badAnswer(status, code, body))
	}
	return strings.TrimSpace(string(body)), nil
}

// sharedValue is a value of the shared files, with the file it came
// from: "shared credentials file /x" or "shared config file /x".
type sharedValue struct {
	value, where string
}

// sharedProfiles are the sections of the shared files by name (a
// profile's name, or "sso-session name"), each its keys.
type sharedProfiles map[string]map[string]sharedValue

// fromSharedFiles returns the fetcher of the credentials of the profile
// AWS_PROFILE (else "default") of the shared files, read again each time.
func fromSharedFiles(client *http.Client) credFetcher {
	return func(ctx context.Context) (creds, error) {
		name := os.Getenv("AWS_PROFILE")
		if name == "" {
			name = "default"
		}
		profiles, err := loadSharedFiles()
		if err != nil {
			return creds{}, err
		}
		profile, ok := profiles[name]
		if !ok {
			return creds{}, errNotConfigured
		}
		return profileCreds(ctx, client, profiles, name, profile)
	}
}

// loadSharedFiles reads the config file (AWS_CONFIG_FILE, else
// ~/.aws/config) and the credentials file (AWS_SHARED_CREDENTIALS_FILE,
// else ~/.aws/credentials), and merges them as the AWS SDKs and
// minio-go do: the config file's sections first ("profile p" read as
// p), then the credentials file's keys over them. Neither file existing
// is errNotConfigured; one that exists but cannot be read or parsed is
// an error, rather than a silent fall back to another place.
func loadSharedFiles() (sharedProfiles, error) {
	configFile := os.Getenv("AWS_CONFIG_FILE")
	credsFile := os.Getenv("AWS_SHARED_CREDENTIALS_FILE")
	if configFile == "" || credsFile == "" {
		if home, err := os.UserHomeDir(); err == nil {
			if configFile == "" {
				configFile = filepath.Join(home, ".aws", "config")
			}
			if credsFile == "" {
				credsFile = filepath.Join(home, ".aws", "credentials")
			}
		}
	}
	merged := sharedProfiles{}
	loaded := false
	for _, f := range []struct {
		name   string
		config bool
	}{{configFile, true}, {credsFile, false}} {
		if f.name == "" {
			continue
		}
		data, err := os.ReadFile(f.name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("shared file: %w", err)
		}
		sections, err := parseSharedFile(f.name, data)
		if err != nil {
			return nil, err
		}
		loaded = true
		if f.config {
			mergeConfigFile(merged, sections, "shared config file "+f.name)
		} else {
			mergeCredentialsFile(merged, sections, "shared credentials file "+f.name)
		}
	}
	if !loaded {
		return nil, errNotConfigured
	}
	return merged, nil
}

// sharedSection is a section of a shared file, its keys in the order of
// the file.
type sharedSection struct {
	name string
	keys [][2]string
}

// parseSharedFile reads the INI text of the shared file name: [section]
// lines, key = value lines, and lines starting with # or ; as comments,
// as are # and ; after a space in a value; blank space around names and
// values, and quotes around a value, are dropped. Keys before the first
// section are ignored, as the SDKs ignore them.
func parseSharedFile(name string, data []byte) ([]sharedSection, error) {
	var sections []sharedSection
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "", line[0] == '#', line[0] == ';':
			continue
		case line[0] == '[':
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return nil, fmt.Errorf("%s:%d: section %q has no closing ]", name, i+1, line)
			}
			sections = append(sections, sharedSection{name: strings.TrimSpace(line[1:end])})
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: %q is neither a [section] nor a key = value", name, i+1, line)
		}
		if c := strings.IndexAny(value, "#;"); c > 0 && (value[c-1] == ' ' || value[c-1] == '\t') {
			value = value[:c]
		}
		value = strings.TrimSpace(value)
		if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		if len(sections) > 0 {
			s := &sections[len(sections)-1]
			s.keys = append(s.keys, [2]string{strings.TrimSpace(key), value})
		}
	}
	return sections, nil
}

// mergeConfigFile adds the sections of the config file, described by
// where, to merged: "default", "profile p" as p (wholly replacing a bare
// [p]), and "sso-session s"; other sections are not profiles in a config
// file.
func mergeConfigFile(merged sharedProfiles, sections []sharedSection, where string) {
	named := map[string]bool{}
	for _, s := range sections {
		name, isProfile := strings.CutPrefix(s.name, "profile ")
		name = strings.TrimSpace(name)
		switch {
		case isProfile:
			if !named[name] {
				delete(merged, name)
				named[name] = true
			}
		case named[name]:
			continue // [profile p] wins over [p]
		case name != "default" && !strings.HasPrefix(name, "sso-session "):
			continue
		}
		keys := merged[name]
		if keys == nil {
			keys = map[string]sharedValue{}
			merged[name] = keys
		}
		for _, kv := range s.keys {
			keys[kv[0]] = sharedValue{kv[1], where}
		}
	}
}

// mergeCredentialsFile adds the sections of the credentials file,
// described by where, to merged, its keys over those of the config file.
// A section with half of a key pair does not replace half of the config
// file's pair with it, so that a pair always comes from one file.
func mergeCredentialsFile(merged sharedProfiles, sections []sharedSection, where string) {
	for _, s := range sections {
		if strings.HasPrefix(s.name, "profile ") {
			continue
		}
		keys, existed := merged[s.name]
		if !existed {
			keys = map[string]sharedValue{}
			merged[s.name] = keys
		}
		var hasID, hasSecret bool
		for _, kv := range s.keys {
			hasID = hasID || kv[0] == "aws_access_key_id"
			hasSecret = hasSecret || kv[0] == "aws_secret_access_key"
		}
		for _, kv := range s.keys {
			switch kv[0] {
			case "aws_access_key_id", "aws_secret_access_key", "aws_session_token":
				if existed && !(hasID && hasSecret) {
					continue
				}
			}
			keys[kv[0]] = sharedValue{kv[1], where}
		}
	}
}

// profileCreds gives the credentials of the profile name, as the AWS
// SDKs and minio-go resolve them: a key pair, else AWS IAM Identity
// Center (SSO) with the token `aws sso login` cached, else the output of
// credential_process. A profile with none of these is errNotConfigured;
// one with half of a key pair, or SSO settings without sso_role_name, is
// an error.
func profileCreds(ctx context.Context, client *http.Client, profiles sharedProfiles, name string, profile map[string]sharedValue) (creds, error) {
	id, secret := profile["aws_access_key_id"], profile["aws_secret_access_key"]
	switch {
	case id.value != "" && secret.value != "":
		return creds{
			id:     id.value,
			secret: secret.value,
			token:  profile["aws_session_token"].value,
			source: fmt.Sprintf("%s (profile %s)", id.where, name),
		}, nil
	case id.value != "":
		return creds{}, fmt.Errorf("%s (profile %s): aws_access_key_id without aws_secret_access_key", id.where, name)
	case secret.value != "":
		return creds{}, fmt.Errorf("%s (profile %s): aws_secret_access_key without aws_access_key_id", secret.where, name)
	}
	if role := profile["sso_role_name"]; role.value != "" {
		c, err := fromSSO(ctx, client, profiles, profile)
		if err != nil {
			return creds{}, fmt.Errorf("SSO (profile %s in %s): %w", name, role.where, err)
		}
		c.source = fmt.Sprintf("SSO (profile %s in %s)", name, role.where)
		return c, nil
	}
	for _, k := range []string{"sso_session", "sso_start_url", "sso_account_id", "sso_region"} {
		if v := profile[k]; v.value != "" {
			return creds{}, fmt.Errorf("%s (profile %s): %s without sso_role_name", v.where, name, k)
		}
	}
	if p := profile["credential_process"]; strings.TrimSpace(p.value) != "" {
		where := fmt.Sprintf("credential_process (profile %s in %s)", name, p.where)
		c, err := runCredentialProcess(ctx, p.value)
		if err != nil {
			return creds{}, fmt.Errorf("%s: %w", where, err)
		}
		c.source = where
		return c, nil
	}
	return creds{}, errNotConfigured
}

// runCredentialProcess runs command, split at blank space as minio-go
// splits it (no shell), and returns the credentials it prints:
// {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken",
// "Expiration"}.
func runCredentialProcess(ctx context.Context, command string) (creds, error) {
	args := strings.Fields(command)
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := briefBody(stderr.Bytes()); msg != "" {
			return creds{}, fmt.Errorf("%w: %s", err, msg)
		}
		return creds{}, err
	}
	var printed struct {
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
		SessionToken    string
		Expiration      time.Time
	}
	if err := json.Unmarshal(out, &printed); err != nil {
		return creds{}, fmt.Errorf("its output is not credentials JSON: %w", err)
	}
	if printed.AccessKeyID == "" || printed.SecretAccessKey == "" {
		return creds{}, errors.New("its output has no AccessKeyId or no SecretAccessKey")
	}
	return creds{id: printed.AccessKeyID, secret: printed.SecretAccessKey, token: printed.SessionToken, expires: printed.Expiration}, nil
}

// fromSSO trades the access token that `aws sso login` cached for the
// credentials of the profile's sso_account_id and sso_role_name, with the
// IAM Identity Center portal (AWS_ENDPOINT_URL_SSO, else the portal of
// the sso_region). The profile names its sso-session, or, in the legacy
// form, has sso_start_url and sso_region itself.
func fromSSO(ctx context.Context, client *http.Client, profiles sharedProfiles, profile map[string]sharedValue) (creds, error) {
	account, role := profile["sso_account_id"].value, profile["sso_role_name"].value
	if account == "" {
		return creds{}, errors.New("sso_role_name without sso_account_id")
	}
	region, startURL := profile["sso_region"].value, profile["sso_start_url"].value
	cacheKey := startURL
	if session := profile["sso_session"].value; session != "" {
		cacheKey = session
		if s, ok := profiles["sso-session "+session]; ok {
			for _, k := range []struct{ key, value string }{{"sso_region", region}, {"sso_start_url", startURL}} {
				if v := s[k.key].value; v != "" && k.value != "" && v != k.value {
					return creds{}, fmt.Errorf("%s %q differs from the %q of sso-session %s", k.key, k.value, v, session)
				}
			}
			if v := s["sso_region"].value; v != "" {
				region = v
			}
		}
	} else if startURL == "" {
		return creds{}, errors.New("sso_role_name without sso_session or sso_start_url")
	}

	home, err := os.UserHomeDir()
	if err != nil {
		return creds{}, err
	}
	sum := sha1.Sum([]byte(cacheKey))
	cacheFile := filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json")
	data, err := os.ReadFile(cacheFile)
	if err != nil {
		return creds{}, fmt.Errorf("%w (run aws sso login)", err)
	}
	var cached struct {
		AccessToken string    `json:"accessToken"`
		ExpiresAt   time.Time `json:"expiresAt"`
		Region      string    `json:"region"`
	}
	if err := json.Unmarshal(data, &cached); err != nil {
		return creds{}, fmt.Errorf("cached token %s: %w", cacheFile, err)
	}
	if time.Now().After(cached.ExpiresAt) {
		return creds{}, fmt.Errorf("cached token %s expired at %s (run aws sso login)", cacheFile, cached.ExpiresAt.Format(time.RFC3339))
	}
	if region == "" {
		region = cached.Region
	}
	portal := os.Getenv("AWS_ENDPOINT_URL_SSO")
	if portal == "" {
		if region == "" {
			return creds{}, errors.New("no sso_region in the profile, its sso-session or the cached token")
		}
		portal = "https://portal.sso." + region + "." + awsDomain(region)
	}

	q := url.Values{"account_id": {account}, "role_name": {role}}
	req, err := http.NewRequest(http.MethodGet, strings.TrimSuffix(portal, "/")+"/federation/credentials?"+q.Encode(), nil)
	if err != nil {
		return creds{}, fmt.Errorf("portal %q: %w", portal, err)
	}
	req.Header.Set("x-amz-sso_bearer_token", cached.AccessToken)
	status, code, body, err := httpDo(ctx, client, req)
	if err != nil {
		return creds{}, fmt.Errorf("portal %s: %w", portal, err)
	}
	if code != http.StatusOK {
		return creds{}, fmt.Errorf("portal %s answered %s", portal, badAnswer(status, code, body))
	}
	var answer struct {
		C struct {
			AccessKeyID     string `json:"accessKeyId"`
			SecretAccessKey string `json:"secretAccessKey"`
			SessionToken    string `json:"sessionToken"`
			Expiration      int64  `json:"expiration"` // Unix milliseconds
		} `json:"roleCredentials"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return creds{}, fmt.Errorf("portal %s answered what is not role credentials: %w", portal, err)
	}
	if answer.C.AccessKeyID == "" || answer.C.SecretAccessKey == "" {
		return creds{}, fmt.Errorf("portal %s answered without accessKeyId or secretAccessKey", portal)
	}
	return creds{
		id:      answer.C.AccessKeyID,
		secret:  answer.C.SecretAccessKey,
		token:   answer.C.SessionToken,
		expires: time.UnixMilli(answer.C.Expiration),
	}, nil
}

// awsDomain is the domain of AWS's endpoints in region's partition.
func awsDomain(region string) string {
	for _, p := range []struct{ prefix, domain string }{
		{"cn-", "amazonaws.com.cn"},
		{"us-iso-", "c2s.ic.gov"},
		{"us-isob-", "sc2s.sgov.gov"},
		{"us-isof-", "csp.hci.ic.gov"},
		{"eu-isoe-", "cloud.adc-e.uk"},
		{"eusc-", "amazonaws.eu"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.domain
		}
	}
	return "amazonaws.com"
}
