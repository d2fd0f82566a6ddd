package bundler

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/stapler-build/stapler/internal/suggest"
)

// target is an entry bundle's target as the config says it ("es2018",
// "chrome90,safari14"), parsed once when the config is decoded into what
// esbuild lowers the bundle to.
type target struct {
	value
	lang    api.Target   // a language version; api.DefaultTarget for none (esnext)
	engines []api.Engine // browsers and runtimes with their versions
}

var (
	esTargets = map[string]api.Target{
		"esnext": api.ESNext, "es5": api.ES5, "es6": api.ES2015, "es2015": api.ES2015, "es2016": api.ES2016,
		"es2017": api.ES2017, "es2018": api.ES2018, "es2019": api.ES2019, "es2020": api.ES2020,
		"es2021": api.ES2021, "es2022": api.ES2022, "es2023": api.ES2023, "es2024": api.ES2024, "es2025": api.ES2025,
	}
	esEngines = map[string]api.EngineName{
		"chrome": api.EngineChrome, "deno": api.EngineDeno, "edge": api.EngineEdge, "firefox": api.EngineFirefox,
		"hermes": api.EngineHermes, "ie": api.EngineIE, "ios": api.EngineIOS, "node": api.EngineNode,
		"opera": api.EngineOpera, "rhino": api.EngineRhino, "safari": api.EngineSafari,
	}
	engineVersionRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+){0,2}$`)
)

// parseTarget parses a target: a language version, browsers with their
// versions, or both, separated by commas: "es2018", "chrome90,safari14.1".
func parseTarget(s string) (api.Target, []api.Engine, error) {
	var target api.Target
	var engines []api.Engine
	if s == "" {
		return target, nil, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.ToLower(strings.TrimSpace(part))
		if t, ok := esTargets[part]; ok {
			if target != api.DefaultTarget {
				return 0, nil, fmt.Errorf("names two language versions")
			}
			target = t
			continue
		}
		i := strings.IndexAny(part, "0123456789")
		if i <= 0 {
			return 0, nil, fmt.Errorf("%q is neither a language version (es2015 … es2025, esnext) nor a browser and its version (chrome90, safari14.1)%s",
				part, didYouMean(suggest.Nearest(part, slices.Sorted(maps.Keys(esTargets)))))
		}
		name, version := part[:i], part[i:]
		engine, ok := esEngines[name]
		if !ok {
			return 0, nil, fmt.Errorf("%q: no browser or runtime is called %q%s", part, name, didYouMean(suggest.Nearest(name, slices.Sorted(maps.Keys(esEngines)))))
		}
		if !engineVersionRE.MatchString(version) {
			return 0, nil, fmt.Errorf("%q: %q is not a version such as 90 or 14.1", part, version)
		}
		engines = append(engines, api.Engine{Name: engine, Version: version})
	}
	return target, engines, nil
}
