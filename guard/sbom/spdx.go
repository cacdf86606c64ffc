package sbom

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/google/uuid"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"

	"github.com/installguard/guard/guard"
)

// spdxHashAlgs maps lockfile algorithm names to SPDX 2.3's.
var spdxHashAlgs = map[string]common.ChecksumAlgorithm{
	"md5": common.MD5, "sha1": common.SHA1, "sha224": common.SHA224, "sha256": common.SHA256,
	"sha384": common.SHA384, "sha512": common.SHA512,
	"sha3-256": common.SHA3_256, "sha3-384": common.SHA3_384, "sha3-512": common.SHA3_512,
	"blake2b-256": common.BLAKE2b_256, "blake2b-384": common.BLAKE2b_384,
	"blake2b-512": common.BLAKE2b_512, "blake3": common.BLAKE3,
}

const noAssertion = "NOASSERTION"

// WriteSPDX writes the report as SPDX 2.3 JSON:
//   - a package per report package (SPDXRef-Package-N), with the purl as a
//     PACKAGE-MANAGER externalRef, checksums, downloadLocation as the
//     lockfile states it (NOASSERTION otherwise), and licences as
//     NOASSERTION (lockfiles do not record them);
//   - a root package for the project that the document DESCRIBES and that
//     DEPENDS_ON the direct dependencies; DEPENDS_ON relationships for the
//     lockfile graph (DEV_DEPENDENCY_OF for dev dependencies of the root);
//   - advisories as SECURITY/advisory externalRefs on the affected package
//     (locator the OSV page, comment: rule, severity, aliases, fixed
//     versions, guard's action);
//   - guard's facts (provenance status and verified publisher repository,
//     workflow and ref; advisory status; lockfile path, direct, dev) as one
//     annotation of type OTHER per package, by "Tool: guard-VERSION", whose
//     comment is "guard:name=value" lines.
func WriteSPDX(w io.Writer, r *guard.Report, opts Options) error {
	m := newModel(r, opts)
	serial := opts.Serial
	if serial == "" {
		serial = uuid.NewString()
	}
	created := m.now.Format("2006-01-02T15:04:05Z")
	tool := "guard-" + opts.ToolVersion
	if opts.ToolVersion == "" {
		tool = "guard"
	}
	doc := &spdx.Document{
		SPDXVersion:       spdx.Version,
		DataLicense:       spdx.DataLicense,
		SPDXIdentifier:    "DOCUMENT",
		DocumentName:      m.name,
		DocumentNamespace: "https://github.com/installguard/guard/spdx/" + url.PathEscape(m.name) + "-" + serial,
		CreationInfo: &spdx.CreationInfo{Created: created,
			Creators: []common.Creator{{CreatorType: "Tool", Creator: tool}}},
	}
	rootID := common.ElementID("Project")
	root := &spdx.Package{PackageName: m.name, PackageSPDXIdentifier: rootID,
		PackageDownloadLocation: noAssertion, FilesAnalyzed: false, IsFilesAnalyzedTagPresent: true,
		PrimaryPackagePurpose: "APPLICATION",
		PackageComment:        fmt.Sprintf("The project whose lockfiles guard checked; verdict %s at level %d.", r.Verdict, r.Level)}
	doc.Packages = append(doc.Packages, root)
	rel := func(a, b common.ElementID, typ string) {
		doc.Relationships = append(doc.Relationships, &spdx.Relationship{
			RefA: common.MakeDocElementID("", string(a)), RefB: common.MakeDocElementID("", string(b)), Relationship: typ})
	}
	rel("DOCUMENT", rootID, common.TypeRelationshipDescribe)
	ids := make([]common.ElementID, len(r.Packages))
	for i := range r.Packages {
		ids[i] = common.ElementID(fmt.Sprintf("Package-%d", i+1))
	}
	annotator := common.Annotator{AnnotatorType: "Tool", Annotator: tool}
	for i := range r.Packages {
		p := &r.Packages[i]
		sp := &spdx.Package{PackageName: p.Name, PackageSPDXIdentifier: ids[i], PackageVersion: p.Version,
			PackageDownloadLocation: noAssertion, FilesAnalyzed: false, IsFilesAnalyzedTagPresent: true,
			PackageLicenseConcluded: noAssertion, PackageLicenseDeclared: noAssertion,
			PackageCopyrightText: noAssertion, PrimaryPackagePurpose: "LIBRARY"}
		if u := downloadLocation(&p.Package); u != "" {
			sp.PackageDownloadLocation = u
		}
		for _, h := range usableHashes(&p.Package) {
			if alg, ok := spdxHashAlgs[h.Algorithm]; ok {
				sp.PackageChecksums = append(sp.PackageChecksums, common.Checksum{Algorithm: alg, Value: h.Digest})
			}
		}
		sp.PackageExternalReferences = append(sp.PackageExternalReferences, &spdx.PackageExternalReference{
			Category: common.CategoryPackageManager, RefType: common.TypePackageManagerPURL, Locator: m.purls[i]})
		for _, f := range m.findings[i] {
			sp.PackageExternalReferences = append(sp.PackageExternalReferences, &spdx.PackageExternalReference{
				Category: common.CategorySecurity, RefType: common.TypeSecurityAdvisory,
				Locator: advisoryURL(f.ID), ExternalRefComment: f.ID + ": " + advisoryComment(f)})
		}
		var lines []string
		for _, kv := range m.packageProperties(i) {
			lines = append(lines, kv.name+"="+kv.value)
		}
		sp.Annotations = []spdx.Annotation{{Annotator: annotator, AnnotationDate: created,
			AnnotationType: "OTHER", AnnotationComment: strings.Join(lines, "\n")}}
		doc.Packages = append(doc.Packages, sp)
	}
	for _, i := range m.directs() {
		if r.Packages[i].Dev {
			rel(ids[i], rootID, common.TypeRelationshipDevDependencyOf)
		} else {
			rel(rootID, ids[i], common.TypeRelationshipDependsOn)
		}
	}
	for i := range r.Packages {
		for _, j := range m.deps[i] {
			rel(ids[i], ids[j], common.TypeRelationshipDependsOn)
		}
	}
	return spdxjson.Write(doc, w, spdxjson.Indent("  "), spdxjson.EscapeHTML(false))
}
