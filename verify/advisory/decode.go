package advisory

import (
	"errors"
	"fmt"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/encoding/protojson"
)

// MaxRecordSize caps one OSV record (a JSON document) wherever guard reads
// one: a DB zip entry, an API answer for /v1/vulns/{id}. Real records are a
// few KiB; the largest OSV records (long versions lists) stay well under it.
const MaxRecordSize = 32 << 20

var decodeOptions = protojson.UnmarshalOptions{DiscardUnknown: true}

// DecodeRecord decodes one OSV record (JSON). Unknown fields and unknown
// enum values (a newer schema) are ignored; invalid JSON, wrong types and a
// record without an id are errors.
func DecodeRecord(data []byte) (*osvschema.Vulnerability, error) {
	if len(data) > MaxRecordSize {
		return nil, fmt.Errorf("OSV record of %d bytes exceeds the %d-byte limit", len(data), MaxRecordSize)
	}
	v := &osvschema.Vulnerability{}
	if err := decodeOptions.Unmarshal(data, v); err != nil {
		return nil, fmt.Errorf("invalid OSV record: %w", err)
	}
	if v.GetId() == "" {
		return nil, errors.New("invalid OSV record: no id")
	}
	return v, nil
}
