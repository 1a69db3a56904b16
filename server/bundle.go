package server

import (
	"context"
	"time"

	"github.com/postvakt/postvakt/shared/audit"
)

// BundleVersion is one stored version of the rule bundle. Versions are
// immutable once created; publishing an old version is a rollback.
type BundleVersion struct {
	Version string
	// JSON is the bundle document as stored (indented); what GET /bundle
	// serves byte for byte.
	JSON []byte
	// ETag is the strong entity tag of JSON: a quoted SHA-256 prefix.
	ETag      string
	Rules     int
	CreatedBy string
	CreatedAt time.Time
	// PublishedAt is the latest time this version was published, or zero.
	PublishedAt time.Time
}

// Publication is one act of publishing a version.
type Publication struct {
	Version     string
	PublishedBy string
	PublishedAt time.Time
	Rollback    bool
}

// Crisis is the crisis-mode state; it changes the crisis.active rule's
// behaviour in every checker.
type Crisis struct {
	Active    bool      `json:"active"`
	Message   string    `json:"message"`
	Team      []string  `json:"team"`
	UpdatedBy string    `json:"updated_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// RuleStore keeps bundle versions, their publication history and the
// crisis state.
type RuleStore interface {
	// CreateBundle stores a new version; ECONFLICT if the version exists.
	CreateBundle(ctx context.Context, v *BundleVersion) error
	// FindBundle returns ENOTFOUND for an unknown version.
	FindBundle(ctx context.Context, version string) (*BundleVersion, error)
	// ListBundles returns every version, newest first, without JSON.
	ListBundles(ctx context.Context) ([]*BundleVersion, error)
	// Publish makes version the published one; ENOTFOUND for an unknown
	// version.
	Publish(ctx context.Context, p Publication) error
	// PublishFirst publishes p only if no version was ever published, and
	// reports whether it did. It is atomic across server processes, so
	// that several processes starting together on an empty database
	// publish the built-in bundle once.
	PublishFirst(ctx context.Context, p Publication) (bool, error)
	// Published returns the published version, or ENOTFOUND if none was
	// ever published.
	Published(ctx context.Context) (*BundleVersion, error)
	// Publications returns the publication history, newest first.
	Publications(ctx context.Context) ([]Publication, error)

	Crisis(ctx context.Context) (Crisis, error)
	SetCrisis(ctx context.Context, c Crisis) error

	// Apply commits c and its audit entries in one transaction (see
	// Change); the admin service makes every change through it. Users
	// get their ID and Stamp set.
	Apply(ctx context.Context, c Change, now time.Time) error
}

// Change is one admin change that a store commits in one transaction
// together with the audit entries that record it (RuleStore.Apply), so a
// change is never live without its entry nor an entry without its change.
type Change struct {
	// FirstUsers are created only while the store holds no account at
	// all; otherwise Apply changes nothing and returns ECONFLICT. The
	// check and the inserts are atomic, also across processes, so the
	// first run creates its accounts once however many requests race.
	FirstUsers []*User
	// Bundle is a new version to store; ECONFLICT if it exists.
	Bundle *BundleVersion
	// Publish records a publication of a stored version (Bundle's
	// included); ENOTFOUND for an unknown version.
	Publish *Publication
	// Crisis replaces the crisis state.
	Crisis *Crisis
	// Record is appended to the audit log, received at now.
	Record []audit.Entry
}
