package advisory

// SharedTestCache exposes the run's shared index cache to the external test
// package, so the corpus zips are indexed once per test run.
var SharedTestCache = sharedCache
