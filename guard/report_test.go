package guard

import "testing"

func TestExitCodeAndVerdict(t *testing.T) {
	tests := []struct {
		name     string
		findings []Action
		errors   []ErrorKind
		verdict  Verdict
		code     int
	}{
		{"nothing", nil, nil, Allow, ExitAllow},
		{"warn only", []Action{Warn}, nil, VerdictWarn, ExitAllow},
		{"ignored only", []Action{Ignored}, nil, Allow, ExitAllow},
		{"block", []Action{Warn, Block}, nil, VerdictBlock, ExitBlocked},
		{"check error beats block", []Action{Block}, []ErrorKind{CheckError}, VerdictError, ExitIncomplete},
		{"input error beats all", []Action{Block}, []ErrorKind{CheckError, InputError}, VerdictError, ExitInvalid},
		{"input error alone", nil, []ErrorKind{InputError}, VerdictError, ExitInvalid},
		{"check error alone", nil, []ErrorKind{CheckError}, VerdictError, ExitIncomplete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{Level: 2}
			for _, a := range tt.findings {
				r.Findings = append(r.Findings, Finding{Rule: RulePinning, Action: a})
			}
			for _, k := range tt.errors {
				r.Errors = append(r.Errors, Error{Kind: k, Message: "x"})
			}
			r.decide()
			if r.Verdict != tt.verdict || r.ExitCode() != tt.code {
				t.Fatalf("verdict %s exit %d, want %s exit %d", r.Verdict, r.ExitCode(), tt.verdict, tt.code)
			}
		})
	}
}

func TestItemsOffAboveLevel(t *testing.T) {
	r := &Report{Level: 0}
	r.decide()
	for _, it := range r.Items {
		if it.Level > 0 && it.Status != "off" {
			t.Errorf("item %s at level 0: status %s, want off", it.ID, it.Status)
		}
	}
	r = &Report{Level: 1}
	r.decide()
	if r.Items[0].ID != "C1.1" || r.Items[0].Status != "pass" {
		t.Errorf("C1.1 at level 1: %+v", r.Items[0])
	}
}
