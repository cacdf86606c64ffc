package guard

import "testing"

func TestSetupFailureIsAnErrorVerdict(t *testing.T) {
	for _, tc := range []struct {
		code    int
		printed string
		kind    ErrorKind
		msg     string
	}{
		{ExitInvalid, "guard: policy: bad key\n  \nguard: second\n", InputError, "guard: policy: bad key; guard: second"},
		{ExitIncomplete, "", CheckError, "the check could not start"},
	} {
		r := SetupFailure(tc.code, tc.printed)
		if r.Verdict != VerdictError || len(r.Errors) != 1 || r.Errors[0].Kind != tc.kind || r.Errors[0].Message != tc.msg {
			t.Errorf("SetupFailure(%d, %q) = verdict %v, errors %+v", tc.code, tc.printed, r.Verdict, r.Errors)
		}
		if r.Packages == nil || r.Findings == nil || r.Lockfiles == nil || r.Items == nil {
			t.Errorf("SetupFailure(%d): nil lists (JSON would say null)", tc.code)
		}
	}
}
