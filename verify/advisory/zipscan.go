package advisory

// A streaming reader of a zip's central directory, for building the index.
//
// Written here because archive/zip reads the whole central directory into
// memory when a zip is opened (a *zip.File of ~250 bytes per entry): for an
// export of millions of entries that alone would pass the index build's
// memory bound. This reads one directory record at a time through a small
// buffer. It understands what OSV's exporter (and any ordinary zip writer)
// produces: stored or deflated entries, zip64 sizes and offsets, data
// descriptors (the central directory's sizes and CRC are authoritative);
// encrypted entries, multi-disk archives and directory records that do not
// fit the file are refused.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

const (
	sigLocal     = 0x04034b50
	sigCentral   = 0x02014b50
	sigEnd       = 0x06054b50
	sigEnd64     = 0x06064b50
	sigEnd64Loc  = 0x07064b50
	endLen       = 22
	end64LocLen  = 20
	end64Len     = 56
	centralLen   = 46
	localLen     = 30
	maxEndSearch = endLen + 0xffff // the end record plus the longest comment
)

// zipDir is where a zip's central directory lies.
type zipDir struct {
	entries uint64
	offset  int64
	size    int64
}

// zipEntryHdr is one central directory record, with the offset of the
// entry's data (after its local header) resolved.
type zipEntryHdr struct {
	Name     string
	Method   uint16
	Flags    uint16
	CRC32    uint32
	CompSize uint64
	Size     uint64
	DataOff  int64
}

var errNotZip = errors.New("not a readable zip")

// findZipDir locates the central directory from the end record (and its
// zip64 form).
func findZipDir(r io.ReaderAt, size int64) (zipDir, error) {
	n := min(size, maxEndSearch)
	if n < endLen {
		return zipDir{}, fmt.Errorf("%w: too short", errNotZip)
	}
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, size-n); err != nil && err != io.EOF {
		return zipDir{}, err
	}
	le := binary.LittleEndian
	at := -1
	for i := len(buf) - endLen; i >= 0; i-- {
		if le.Uint32(buf[i:]) == sigEnd && i+endLen+int(le.Uint16(buf[i+20:])) <= len(buf) {
			at = i
			break
		}
	}
	if at < 0 {
		return zipDir{}, fmt.Errorf("%w: no end of central directory record", errNotZip)
	}
	e := buf[at:]
	if le.Uint16(e[4:]) != 0 || le.Uint16(e[6:]) != 0 || le.Uint16(e[8:]) != le.Uint16(e[10:]) {
		return zipDir{}, fmt.Errorf("%w: multi-disk archives are not supported", errNotZip)
	}
	d := zipDir{entries: uint64(le.Uint16(e[10:])), size: int64(le.Uint32(e[12:])), offset: int64(le.Uint32(e[16:]))}
	endOff := size - n + int64(at)
	if d.entries == 0xffff || d.size == 0xffffffff || d.offset == 0xffffffff {
		// zip64: the locator sits just before the end record.
		if endOff < end64LocLen {
			return zipDir{}, fmt.Errorf("%w: zip64 locator missing", errNotZip)
		}
		var loc [end64LocLen]byte
		if _, err := r.ReadAt(loc[:], endOff-end64LocLen); err != nil {
			return zipDir{}, fmt.Errorf("%w: %v", errNotZip, err)
		}
		if le.Uint32(loc[:]) != sigEnd64Loc {
			return zipDir{}, fmt.Errorf("%w: zip64 locator missing", errNotZip)
		}
		off := le.Uint64(loc[8:])
		if off > uint64(size-end64Len) {
			return zipDir{}, fmt.Errorf("%w: zip64 end record out of bounds", errNotZip)
		}
		var e64 [end64Len]byte
		if _, err := r.ReadAt(e64[:], int64(off)); err != nil {
			return zipDir{}, fmt.Errorf("%w: %v", errNotZip, err)
		}
		if le.Uint32(e64[:]) != sigEnd64 {
			return zipDir{}, fmt.Errorf("%w: bad zip64 end record", errNotZip)
		}
		d.entries = le.Uint64(e64[32:])
		s, o := le.Uint64(e64[40:]), le.Uint64(e64[48:])
		if s > uint64(size) || o > uint64(size) {
			return zipDir{}, fmt.Errorf("%w: central directory out of bounds", errNotZip)
		}
		d.size, d.offset = int64(s), int64(o)
	}
	if d.offset+d.size > size || d.offset < 0 || d.size < 0 {
		return zipDir{}, fmt.Errorf("%w: central directory out of bounds", errNotZip)
	}
	// Each record is at least centralLen bytes: a count the directory cannot
	// hold is a lie.
	if d.entries > uint64(d.size)/centralLen {
		return zipDir{}, fmt.Errorf("%w: %d entries cannot fit a %d-byte central directory", errNotZip, d.entries, d.size)
	}
	return d, nil
}

// scanZip calls fn for each entry of the zip, in directory order, reading
// the directory through a 64 KiB buffer.
func scanZip(r io.ReaderAt, size int64, d zipDir, fn func(*zipEntryHdr) error) error {
	br := bufio.NewReaderSize(io.NewSectionReader(r, d.offset, d.size), 64<<10)
	le := binary.LittleEndian
	var hdr [centralLen]byte
	var local [localLen]byte
	var name, extra []byte
	for i := uint64(0); i < d.entries; i++ {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return fmt.Errorf("%w: central directory record %d: %v", errNotZip, i, err)
		}
		if le.Uint32(hdr[:]) != sigCentral {
			return fmt.Errorf("%w: central directory record %d: bad signature", errNotZip, i)
		}
		e := zipEntryHdr{
			Flags: le.Uint16(hdr[8:]), Method: le.Uint16(hdr[10:]), CRC32: le.Uint32(hdr[16:]),
			CompSize: uint64(le.Uint32(hdr[20:])), Size: uint64(le.Uint32(hdr[24:])),
		}
		nameLen, extraLen, commentLen := int(le.Uint16(hdr[28:])), int(le.Uint16(hdr[30:])), int(le.Uint16(hdr[32:]))
		localOff := uint64(le.Uint32(hdr[42:]))
		name = grow(name, nameLen)
		extra = grow(extra, extraLen)
		if _, err := io.ReadFull(br, name); err != nil {
			return fmt.Errorf("%w: central directory record %d: %v", errNotZip, i, err)
		}
		if _, err := io.ReadFull(br, extra); err != nil {
			return fmt.Errorf("%w: central directory record %d: %v", errNotZip, i, err)
		}
		if _, err := br.Discard(commentLen); err != nil {
			return fmt.Errorf("%w: central directory record %d: %v", errNotZip, i, err)
		}
		e.Name = string(name)
		// zip64 extra field: the 64-bit values of the fields that are
		// all ones, in this order.
		needSize, needComp, needOff := e.Size == 0xffffffff, e.CompSize == 0xffffffff, localOff == 0xffffffff
		for x := extra; len(x) >= 4; {
			id, n := le.Uint16(x), int(le.Uint16(x[2:]))
			if 4+n > len(x) {
				break
			}
			body := x[4 : 4+n]
			x = x[4+n:]
			if id != 0x0001 {
				continue
			}
			take := func(need bool, v *uint64) {
				if need && len(body) >= 8 {
					*v = le.Uint64(body)
					body = body[8:]
				}
			}
			take(needSize, &e.Size)
			take(needComp, &e.CompSize)
			take(needOff, &localOff)
		}
		if e.Flags&0x1 != 0 {
			return fmt.Errorf("entry %s is encrypted", e.Name)
		}
		if localOff > uint64(size)-localLen || uint64(size) < localLen {
			return fmt.Errorf("%w: entry %s: local header out of bounds", errNotZip, e.Name)
		}
		if _, err := r.ReadAt(local[:], int64(localOff)); err != nil {
			return fmt.Errorf("%w: entry %s: %v", errNotZip, e.Name, err)
		}
		if le.Uint32(local[:]) != sigLocal {
			return fmt.Errorf("%w: entry %s: bad local header", errNotZip, e.Name)
		}
		dataOff := localOff + localLen + uint64(le.Uint16(local[26:])) + uint64(le.Uint16(local[28:]))
		if dataOff > uint64(size) || e.CompSize > uint64(size)-dataOff {
			return fmt.Errorf("%w: entry %s: data out of bounds", errNotZip, e.Name)
		}
		e.DataOff = int64(dataOff)
		if err := fn(&e); err != nil {
			return err
		}
	}
	return nil
}

func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}
