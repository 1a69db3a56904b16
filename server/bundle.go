package server

import (
	"context"
	"time"
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
}
