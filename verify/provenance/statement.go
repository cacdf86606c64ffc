package provenance

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// statement is the part of an in-toto statement provenance checks. The
// predicate itself is not needed: the identity comes from the certificate.
type statement struct {
	Type    string `json:"_type"`
	Subject []struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
	PredicateType string `json:"predicateType"`
}

func parseStatement(b []byte) (*statement, error) {
	if len(b) == 0 {
		return nil, errors.New("empty payload")
	}
	var s statement
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// decodeStd decodes standard base64, padded or not.
func decodeStd(s string) ([]byte, error) {
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}
