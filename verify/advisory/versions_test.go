package advisory

import (
	"slices"
	"testing"
)

func TestSortVersions(t *testing.T) {
	tests := []struct {
		eco  string
		in   []string
		want []string
	}{
		{"npm", []string{"4.17.21", "4.17.19", "4.9.0", "4.17.19-rc.1"}, []string{"4.9.0", "4.17.19-rc.1", "4.17.19", "4.17.21"}},
		{"PyPI", []string{"2.0.10", "2.0.8", "2.0.8rc1", "2.0.8.post1"}, []string{"2.0.8rc1", "2.0.8", "2.0.8.post1", "2.0.10"}},
		{"crates.io", []string{"1.10.0", "1.9.3"}, []string{"1.9.3", "1.10.0"}},
	}
	for _, tt := range tests {
		got := slices.Clone(tt.in)
		SortVersions(tt.eco, got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.eco, got, tt.want)
		}
	}
}
