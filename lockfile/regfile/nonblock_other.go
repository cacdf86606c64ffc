//go:build !unix

package regfile

// nonblock: elsewhere opening a file does not wait for a writer.
const nonblock = 0
