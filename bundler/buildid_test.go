package bundler

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// TestELFBuildID reads the build ID of the test binary as Go's own tool
// does: the cache keys its results by it instead of hashing the
// executable on every run.
func TestELFBuildID(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("ELF binaries only; elsewhere executableHash hashes the file")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Fatalf("go tool buildid: %v", err)
	}
	want := strings.TrimSpace(string(out))
	if got := elfBuildID(exe); got != want {
		t.Errorf("elfBuildID = %q, go tool buildid says %q", got, want)
	}
	if got := executableHash(); got != "go-buildid "+want {
		t.Errorf("executableHash = %q, want the build ID", got)
	}
	if got := elfBuildID("buildid_test.go"); got != "" {
		t.Errorf("elfBuildID of a Go source file = %q, want none", got)
	}
}
