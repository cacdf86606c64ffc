package typosquat

import (
	"strings"
	"testing"
)

// knownTyposquats are names used in real typosquatting campaigns, with the
// popular name each imitated and a word of the technique the finding must
// name.
//   - npm, 2017: the 40 packages of the "hacktask" account npm removed on
//     2017-08-01 (crossenv and its siblings); the ones whose target is on
//     the popular list.
//   - PyPI: the 2017 SK-CSIRT report (urlib3, setup-tools, acqusition,
//     ...), jeIlyfish and python3-dateutil (2019), colourama (2018),
//     and the typos of requests, django and others taken down 2020–2024.
var knownTyposquats = []struct {
	eco, name, target, how string
}{
	{NPM, "crossenv", "cross-env", "separator removed"},
	{NPM, "cross-env.js", "cross-env", "`.js` suffix"},
	{NPM, "babelcli", "babel-cli", "separator removed"},
	{NPM, "mongose", "mongoose", "made single"},
	{NPM, "nodesass", "node-sass", "separator removed"},
	{NPM, "gruntcli", "grunt-cli", "separator removed"},
	{NPM, "jquery.js", "jquery", "`.js` suffix"},
	{NPM, "http-proxy.js", "http-proxy", "`.js` suffix"},
	{NPM, "mysqljs", "mysql", "`js` suffix"},
	{NPM, "nodemailer-js", "nodemailer", "`-js` suffix"},
	{NPM, "nodemailer.js", "nodemailer", "`.js` suffix"},
	{NPM, "noderequest", "request", "`node` prefix"},
	{NPM, "mssql.js", "mssql", "`.js` suffix"},
	{NPM, "mssql-node", "mssql", "`-node` suffix"},
	{NPM, "nodemssql", "mssql", "`node` prefix"},
	{NPM, "fabric-js", "fabric", "`-js` suffix"},
	{NPM, "node-fabric", "fabric", "`node-` prefix"},
	{NPM, "nodefabric", "fabric", "`node` prefix"},
	{NPM, "proxy.js", "proxy", "`.js` suffix"},
	{NPM, "sqlite.js", "sqlite", "`.js` suffix"},
	{NPM, "node-sqlite", "sqlite", "`node-` prefix"},
	{NPM, "nodesqlite", "sqlite", "`node` prefix"},
	{NPM, "sqliter", "sqlite", "added"},
	{PyPI, "reqeusts", "requests", "transposed"},
	{PyPI, "requestss", "requests", "doubled"},
	{PyPI, "python3-dateutil", "python-dateutil", "`python3-` prefix"},
	{PyPI, "jeIlyfish", "jellyfish", "homoglyph I for l"},
	{PyPI, "colourama", "colorama", "added"},
	{PyPI, "urlib3", "urllib3", "made single"},
	{PyPI, "setup-tools", "setuptools", "separator added"},
	{PyPI, "diango", "django", "changed"},
	{PyPI, "djanga", "django", "changed"},
	{PyPI, "beautifulsup4", "beautifulsoup4", "left out"},
	{PyPI, "acqusition", "acquisition", "left out"},
	{PyPI, "selenuim", "selenium", "transposed"},
}

func TestKnownTyposquats(t *testing.T) {
	for _, k := range knownTyposquats {
		m, ok := Check(k.eco, k.name)
		if !ok {
			t.Errorf("%s %s: not found (want %s)", k.eco, k.name, k.target)
			continue
		}
		if m.Target != k.target || !strings.Contains(m.How, k.how) {
			t.Errorf("%s %s imitates %s (%s), want %s (%s)", k.eco, k.name, m.Target, m.How, k.target, k.how)
		}
	}
}
