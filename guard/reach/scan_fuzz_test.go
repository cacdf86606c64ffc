package reach

import (
	"strings"
	"testing"
	"unicode"
)

// scanSeeds are source snippets of the shapes the scanner reads.
var scanSeeds = []string{
	"import _ from 'lodash'\nimport { a } from \"@scope/pkg/sub\"\nconst x = require('express')\n",
	"export * from './local'\nimport('chalk').then(m => m)\nrequire.resolve(\"left-pad\")\nimport 'side-effect'\n",
	"const fs = require('node:fs'); import y from '/abs/path'; import z from 'https://cdn.example/x.js'\n",
	"// require('commented')\nimport type { T } from 'types-only'\nimport x from '#internal'\n",
	"<script setup>\nimport Comp from '@/components/Comp.vue'\nimport { ref } from 'vue'\n</script>\n",
	"import os, sys\nimport numpy as np\nfrom yaml import safe_load\nfrom . import sibling\nfrom .pkg import x\n",
	"import a.b.c as d, e\nfrom django.conf import settings  # comment\nimport_module('plugins.x')\n__import__(\"json\")\n",
	"try:\n    import ujson as json\nexcept ImportError:\n    import json\nimport (\nfrom x import (a,\n    b)\n",
	"import os; import sys\nimport \\\n    requests\n\tfrom\tpkg\timport\tx\n",
}

// FuzzScanImports: the reachability import scanner (JS/TS and Python) on
// arbitrary source: no panic, and every name it reports is a usable
// package or module name (never empty, never a relative or absolute path,
// never holding spaces or quotes).
func FuzzScanImports(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		js := map[string]bool{}
		scanJS(data, js)
		for name := range js {
			if name == "" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "/") ||
				strings.ContainsAny(name, "'\"` \t\r\n:\\") {
				t.Fatalf("scanJS reported %q", name)
			}
			if strings.HasPrefix(name, "@") && strings.Count(name, "/") != 1 || !strings.HasPrefix(name, "@") && strings.Contains(name, "/") {
				t.Fatalf("scanJS reported %q: not a package name", name)
			}
		}
		py := map[string]bool{}
		scanPy(data, py)
		for name := range py {
			if name == "" || strings.ContainsAny(name, ".'\"` \t\r\n/\\") {
				t.Fatalf("scanPy reported %q", name)
			}
			for _, r := range name {
				if unicode.IsControl(r) {
					t.Fatalf("scanPy reported %q", name)
				}
			}
		}
	})
}

func TestScanPyStatements(t *testing.T) {
	got := map[string]bool{}
	scanPy([]byte("import os; import sys\nimport 'notpython'\nimport .rel\nfrom yaml import x; import a.b as c, d\n"), got)
	for _, want := range []string{"os", "sys", "yaml", "a", "d"} {
		if !got[want] {
			t.Errorf("%s not found in %v", want, got)
		}
	}
	if len(got) != 5 {
		t.Errorf("got %v", got)
	}
}
