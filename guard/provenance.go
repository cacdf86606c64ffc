package guard

import (
	"context"
	"fmt"
	"strings"

	"github.com/installguard/guard/guard/policy"
	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/verify/provenance"
)

// ProvenanceSource gathers build-provenance evidence for packages
// (verify/provenance.Verifier). Results are keyed by
// provenance.PackageKey.
type ProvenanceSource interface {
	VerifyByKey(ctx context.Context, pkgs []lockfile.Package) map[string]provenance.Result
}

// ProvenanceReport is what a package's report entry says about its
// provenance.
type ProvenanceReport struct {
	// Status: verified, missing, invalid, unverifiable or unavailable.
	Status    provenance.Status     `json:"status"`
	Publisher *provenance.Publisher `json:"publisher,omitempty"`
	Reason    string                `json:"reason,omitempty"`
	Advice    string                `json:"advice,omitempty"`
	// RegistrySignature is the npm registry's signature over the
	// package's integrity, when registry metadata was read.
	RegistrySignature *provenance.SignatureCheck `json:"registrySignature,omitempty"`
	Downgrade         *provenance.Downgrade      `json:"downgrade,omitempty"`
}

// provenanceFindings applies the provenance rules:
//   - provenance-invalid: attestations or registry signatures that are
//     present but fail verification (treated as an attack: blocks);
//   - provenance-downgrade: a version published without the provenance its
//     earlier versions had, or from another source repository;
//   - provenance: a package the options require provenance for has none
//     that verifies.
func provenanceFindings(rc ruleContext, ev *evidence, r *Report) []Finding {
	var out []Finding
	seen := map[string]bool{}
	add := func(rule, id string, p *PackageResult, msg string) {
		key := p.Lockfile + "\x00" + p.Key() + "\x00" + rule + "\x00" + id
		if seen[key] || !rc.enabled(rule) {
			return
		}
		seen[key] = true
		f := Finding{Rule: rule, Item: itemOf(rule).ID, ID: id, Aliases: []string{},
			Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version, Lockfile: p.Lockfile, Line: p.Line,
			Chain: p.Chain, Message: msg}
		rc.apply(&f)
		out = append(out, f)
	}
	for i := range r.Packages {
		p := &r.Packages[i]
		res, ok := ev.provenanceOf(p)
		if !ok {
			continue
		}
		if res.Status == provenance.StatusInvalid {
			add(RuleProvenanceInvalid, "attestation-invalid", p, "has a provenance attestation that fails verification: "+res.Reason)
		}
		if res.Registry != nil && res.Registry.Status == provenance.StatusInvalid {
			add(RuleProvenanceInvalid, "registry-signature-invalid", p, "has a registry signature that does not match its integrity: "+res.Registry.Reason)
		}
		if d := res.Downgrade; d != nil {
			if d.ProvenanceDropped {
				add(RuleProvenanceDowngrade, "provenance-dropped", p, fmt.Sprintf(
					"was published without provenance, though %d earlier version(s) had it (last %s)", d.EarlierWithProvenance, d.LastWithProvenance))
			}
			// A changed repository matters where provenance links versions
			// to their source: self-declared repository fields change
			// with every transfer or rename, which is no signal on its own.
			if d.RepositoryChanged && d.EarlierWithProvenance > 0 {
				add(RuleProvenanceDowngrade, "repository-changed", p, fmt.Sprintf(
					"names source repository %s, but %s named %s", d.Repository, d.PreviousVersion, d.PreviousRepository))
			}
		}
		if pins := rc.p.PublisherPins(string(p.Ecosystem), p.Name); len(pins) > 0 && res.Status != provenance.StatusInvalid {
			if msg, ok := publisherMismatch(res, pins); !ok {
				add(RulePublisher, "publisher-mismatch", p, msg)
			}
		}
		if req, _ := rc.p.ProvenanceRequired(string(p.Ecosystem), p.Name); req && p.Source.Kind != lockfile.SourceWorkspace &&
			res.Status != provenance.StatusVerified && res.Status != provenance.StatusInvalid {
			msg := fmt.Sprintf("is required to have build provenance, but it is %s", res.Status)
			if res.Reason != "" {
				msg += ": " + res.Reason
			}
			if res.Advice != "" {
				msg += " (" + res.Advice + ")"
			}
			add(RuleProvenance, string(res.Status), p, msg)
		}
	}
	return out
}

// publisherMismatch checks a verified identity against the policy's pins
// for the package: one matching pin is enough. ok is false, with a message
// saying what differs, when no pin matches or there is no verified identity.
func publisherMismatch(res provenance.Result, pins []policy.PublisherPin) (string, bool) {
	if res.Status != provenance.StatusVerified || res.Publisher == nil {
		return fmt.Sprintf("must be built by %s, but its provenance is %s, so the publisher cannot be confirmed", describePins(pins), res.Status), false
	}
	pub := res.Publisher
	var why []string
	for _, pin := range pins {
		ok, diff := pin.Matches(pub.Repository, pub.Workflow, pub.Ref)
		if ok {
			return "", true
		}
		why = append(why, diff)
	}
	return "was " + strings.Join(why, "; or "), false
}

func describePins(pins []policy.PublisherPin) string {
	var parts []string
	for _, p := range pins {
		s := p.Repository
		if p.Workflow != "" {
			s += " with workflow " + p.Workflow
		}
		if p.Ref != "" {
			s += " at " + p.Ref
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", s, p.From))
	}
	return strings.Join(parts, " or ")
}

// unverifiedProvenance says how many packages' provenance could not be
// verified (the registry could not be reached, the lockfile pins no digest,
// the trust material is too old), with the first reason; "" when every
// package's provenance was verified, missing or unavailable.
func unverifiedProvenance(r *Report) string {
	n, first := 0, ""
	for _, p := range r.Packages {
		if p.Provenance != nil && p.Provenance.Status == provenance.StatusUnverifiable {
			if n == 0 {
				first = p.Key() + ": " + p.Provenance.Reason
			}
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("the provenance of %d of %d packages could not be verified (%s)", n, len(r.Packages), first)
}
