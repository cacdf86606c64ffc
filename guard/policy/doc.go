// Package policy reads guard's policy files, layers them and answers what
// a finding does.
//
// Layers, lowest first: defaults, the org policy (--policy FILE|URL,
// GUARD_POLICY, /etc/guard/policy.toml, <user config>/guard/policy.toml:
// the first found), the project policy (guard.toml at the project root),
// and the one-run flags (--level, --mode, --max-db-age). A higher layer may
// only tighten what the lower file layers say; when an org policy is
// loaded, its defaults count as its values. Without an org policy the
// project file is free to set anything (it is the policy), and flags may
// still not weaken what the project file says. Every effective value
// records where it came from (file:line, "default", or the flag).
//
// One rule table (rules.go) says everything about each rule that is not its
// check: name, policy table and key, default action, principle item, level,
// title, advisory class. The reader (parse.go) is table-driven: format.go
// declares every table and key of the file once, and Settings (policy
// show) walks the same declaration.
//
// Decisions worth knowing (docs/policy.md documents the format):
//   - With no file the policy equals guard's flag behaviour: level 2, mode
//     block, malware blocks, unmaintained/unsound/notice warn,
//     vulnerabilities of every severity take the mode.
//   - Rule tables have action = "block" | "warn" | "off"; unset follows
//     mode, except malware (always block: only "block" is accepted),
//     unmaintained/unsound/notice/deprecated (warn) and
//     provenance-invalid/publisher (block: evidence contradicts what is
//     expected, which is what an attack looks like).
//   - [vulnerabilities] has no action: block-severity and warn-severity
//     (any|low|medium|high|critical|never) map each severity to block, warn
//     or ignored; block-severity defaults to "any" under mode block and
//     "never" under mode warn; unrated decides vulnerabilities without a
//     rating (otherwise they meet only "any"); unreachable caps the action
//     of vulnerabilities whose code is not reached (level 3). A project
//     change is checked by comparing, per severity, the action before and
//     after.
//   - Globs are path.Match patterns (no extra dependency): * does not cross
//     "/", which suits npm scopes ("@myorg/*"). Package patterns may carry
//     an ecosystem prefix ("npm:", "pypi:", "crates.io:"); PyPI names are
//     compared PEP 503 normalised.
//   - Exceptions: reason and expires (a TOML local date, never a string)
//     are required; an id or a package is required; version is exact. An
//     expired exception is an error, one expiring within 14 days a notice,
//     one that matched nothing a warning (UnusedDiagnostics). Malware
//     findings are only covered by exceptions with rule = "malware", an
//     exact package and an exact version.
//   - Line numbers: BurntSushi/toml reports positions only for syntax
//     errors, so guard's TOML scanner (lockfile/tomlpos) records the line of
//     every key and array element. Every error of a file is reported (up
//     to 50), in line order. A file nesting arrays or inline tables more
//     than 64 deep is refused before decoding (the decoder's time grows
//     superlinearly with depth).
//   - Remote org policies: https only, "#sha256=<hex>" pins the content,
//     fetched with a timeout and a 1 MiB cap, cached atomically under
//     <user cache>/guard/policy/ after it validated; unreachable falls back
//     to the cache with a notice, or ErrUnavailable without one.
package policy
