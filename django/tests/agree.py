"""agree.py asks stapler_django.manifest what django_test.go's
TestAgreesWithGo asked the Go package, and prints each answer that
differs, or how many agree:

    python3 tests/agree.py ROUNDS.json

ROUNDS.json is a list of {"manifest": {...}, "lookups": [{"func", "name",
"want", "error"}]}. It needs no Django.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "stapler_django"))

from manifest import Manifest, StaplerLookupError  # noqa: E402


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        rounds = json.load(f)
    n, bad = 0, 0
    for rnd in rounds:
        m = Manifest.parse(json.dumps(rnd["manifest"]))
        for lk in rnd["lookups"]:
            n += 1
            call = {"module": m.module, "url": m.url, "integrity": m.integrity}[lk["func"]]
            got, err = "", ""
            try:
                got = call(lk["name"])
            except StaplerLookupError as e:
                err = str(e)
            if (got, err) != (lk["want"], lk["error"]):
                bad += 1
                print("%s(%r): Python %r, error %r; Go %r, error %r" % (lk["func"], lk["name"], got, err, lk["want"], lk["error"]))
    if not bad:
        print("%d lookups agree" % n)


if __name__ == "__main__":
    main()
