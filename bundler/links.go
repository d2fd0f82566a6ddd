package bundler

import (
	"path"
	"path/filepath"
	"strings"
)

// systemDirs are directories no static file comes from: a link into one
// (static/etc -> /etc) would publish the machine's files.
var systemDirs = []string{"/boot", "/dev", "/etc", "/proc", "/root", "/run", "/sys", "/var/run"}

// checkLinks reports the symbolic links in the roots that lead out of
// them, which the finders follow like any other: into a system directory,
// an error; out of the project too, a warning unless the root allows it
// (links_outside). Following links is needed (Debian's Django admin links
// its jQuery into /usr/share/javascript); doing it without a word is not.
func (p *Project) checkLinks(diags *ErrorList) {
	if !p.disk {
		return
	}
	links, err := p.finder.Links()
	if err != nil {
		return // reported where the roots' files are listed
	}
	project, err := filepath.Abs(p.dirName)
	if err != nil {
		return
	}
	for _, l := range links {
		rc, dir := p.rootCfg[l.Root], p.roots[l.Root].Dir
		root, err := filepath.Abs(dir)
		if err != nil {
			continue
		}
		link := filepath.Join(dir, filepath.FromSlash(l.Path))
		target := l.Target
		if !filepath.IsAbs(target) {
			target = filepath.Join(root, filepath.FromSlash(path.Dir(l.Path)), target)
		}
		real := target
		if r, err := filepath.EvalSymlinks(target); err == nil {
			real = r
		}
		switch {
		case systemDir(real):
			diags.errorf(rc.Path.Pos, CodeLinkSystem, nil,
				"root %q: %s links to %s, a system directory: its files are not static files; remove the link", rc.Path.S, link, l.Target)
		case rc.LinksOutside, within(real, project), within(real, root):
		default:
			d := diags.errorf(rc.Path.Pos, CodeLinkOutside, nil,
				"root %q: %s links to %s, outside the root and the project: its files are served as the root's; if that is meant, set links_outside = true on this root", rc.Path.S, link, l.Target)
			d.Severity = SeverityWarning
		}
	}
}

// systemDir reports whether dir, absolute and clean, is in one of
// systemDirs.
func systemDir(dir string) bool {
	dir = filepath.ToSlash(dir)
	for _, s := range systemDirs {
		if dir == s || strings.HasPrefix(dir, s+"/") {
			return true
		}
	}
	return false
}
