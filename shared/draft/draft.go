// Package draft defines the two documents that bind every part of Postvakt
// together: the Draft a writer is composing and the Report the engine
// answers with. The JSON shapes are the contract between the Go engine, the
// wasm module, the extension and the server (see PRODUCT.md, "Data
// formats"), so field names and meanings here are append-only.
package draft

// Persons declares who is identifiable in an image.
const (
	PersonsNone    = "none"    // no identifiable person
	PersonsAdults  = "adults"  // identifiable persons, all 15 or older
	PersonsMinors  = "minors"  // at least one identifiable child under 15
	PersonsUnknown = "unknown" // not declared yet
)

// Consent declares what consent exists for the persons in an image.
const (
	ConsentNone            = "none"
	ConsentGiven           = "given"            // every identifiable person agreed
	ConsentGuardianWritten = "guardian_written" // and written consent from guardians of every child under 15
)

// Image is the writer's declaration about one attached image.
type Image struct {
	Alt     string `json:"alt"`
	Persons string `json:"persons"`
	Consent string `json:"consent"`
}

// Draft is what is checked. Only ID and Text are required.
type Draft struct {
	ID       string  `json:"id"`
	Text     string  `json:"text"`
	Platform string  `json:"platform,omitempty"` // facebook | instagram | linkedin | x | youtube | tiktok | other
	Kind     string  `json:"kind,omitempty"`     // post | reply | message; empty means post
	Images   []Image `json:"images,omitempty"`
	// At is an RFC 3339 time; it selects time-bounded rules and defaults to now.
	At string `json:"at,omitempty"`
	// User and Unit identify the writer; they select unit-scoped rules and
	// decide whether crisis mode applies (members of the crisis team may
	// publish during a crisis).
	User string `json:"user,omitempty"`
	Unit string `json:"unit,omitempty"`
}

// Severities, from least to most severe.
const (
	SeverityInfo  = "info"
	SeverityWarn  = "warn"
	SeverityBlock = "block"
)

// Verdicts.
const (
	VerdictOK    = "ok"
	VerdictWarn  = "warn"
	VerdictBlock = "block"
)

// Finding is one occurrence of one rule.
type Finding struct {
	Rule     string `json:"rule"`
	Category string `json:"category"`
	Severity string `json:"severity"`
	// Start and End are half-open offsets in UTF-16 code units of the draft
	// text (what browsers use), or -1 for a finding about the whole draft.
	Start int `json:"start"`
	End   int `json:"end"`
	// Image is the index of the image the finding is about, else -1.
	Image      int    `json:"image"`
	Message    string `json:"message"`
	Suggestion string `json:"suggestion"`
	// Excerpt is the masked fragment (see shared/redact); it is what audit
	// entries carry instead of the text itself. Empty for whole-draft
	// and image findings.
	Excerpt string `json:"excerpt,omitempty"`
	// Why explains the finding in the check's language: which words filled
	// which role of a frame, or the learned model's confidence. It quotes
	// the draft, so it is shown to the writer and never leaves the browser
	// (audit entries carry only rule, severity and the masked excerpt).
	Why string `json:"why,omitempty"`
}

// Report is the engine's answer for one draft.
type Report struct {
	ID       string    `json:"id"`
	Verdict  string    `json:"verdict"`
	Bundle   string    `json:"bundle"`
	Archive  bool      `json:"archive"`
	Findings []Finding `json:"findings"`
}

// SeverityRank orders severities; unknown severities rank lowest.
func SeverityRank(s string) int {
	switch s {
	case SeverityBlock:
		return 3
	case SeverityWarn:
		return 2
	case SeverityInfo:
		return 1
	}
	return 0
}
