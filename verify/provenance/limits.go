package provenance

// cacheMaxSize caps one cached verification result read back from disk
// (regfile: a regular file, opened without blocking).
const cacheMaxSize = 4 << 20
