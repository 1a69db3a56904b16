// Package mock has stand-ins for the stores of package server: structs of
// …Fn fields, one per method, that tests set to what they need. Calling
// a method whose field is nil panics, so a test notices an unexpected call.
package mock

import (
	"context"
	"time"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/audit"
	"golang.org/x/mod/sumdb/tlog"
)

var (
	_ server.UserStore = (*UserStore)(nil)
	_ server.RuleStore = (*RuleStore)(nil)
	_ server.AuditLog  = (*AuditLog)(nil)
)

// UserStore is a mock server.UserStore.
type UserStore struct {
	CreateUserFn         func(ctx context.Context, u *server.User) error
	FindUserByNameFn     func(ctx context.Context, name string) (*server.User, error)
	FindUserByIDFn       func(ctx context.Context, id int64) (*server.User, error)
	CreateRefreshTokenFn func(ctx context.Context, t *server.RefreshToken) error
	UseRefreshTokenFn    func(ctx context.Context, hash string, now time.Time) (*server.RefreshToken, error)
	RevokeFamilyFn       func(ctx context.Context, family string) error
	ListUsersFn          func(ctx context.Context) ([]*server.User, error)
	UpdateUserFn         func(ctx context.Context, u *server.User, record []audit.Entry, now time.Time) error
	SetLastLoginFn       func(ctx context.Context, id int64, at time.Time) error
	SetResetCodeFn       func(ctx context.Context, id int64, hash string, expires time.Time) error
	UseResetCodeFn       func(ctx context.Context, hash string, now time.Time) (*server.User, error)
	CreateSessionFn      func(ctx context.Context, s *server.Session) error
	FindSessionFn        func(ctx context.Context, hash string, now time.Time) (*server.Session, error)
	DeleteSessionFn      func(ctx context.Context, hash string) error
}

func (s *UserStore) ListUsers(ctx context.Context) ([]*server.User, error) { return s.ListUsersFn(ctx) }
func (s *UserStore) UpdateUser(ctx context.Context, u *server.User, record []audit.Entry, now time.Time) error {
	return s.UpdateUserFn(ctx, u, record, now)
}
func (s *UserStore) SetLastLogin(ctx context.Context, id int64, at time.Time) error {
	return s.SetLastLoginFn(ctx, id, at)
}
func (s *UserStore) SetResetCode(ctx context.Context, id int64, hash string, expires time.Time) error {
	return s.SetResetCodeFn(ctx, id, hash, expires)
}
func (s *UserStore) UseResetCode(ctx context.Context, hash string, now time.Time) (*server.User, error) {
	return s.UseResetCodeFn(ctx, hash, now)
}
func (s *UserStore) CreateSession(ctx context.Context, se *server.Session) error {
	return s.CreateSessionFn(ctx, se)
}
func (s *UserStore) FindSession(ctx context.Context, hash string, now time.Time) (*server.Session, error) {
	return s.FindSessionFn(ctx, hash, now)
}
func (s *UserStore) DeleteSession(ctx context.Context, hash string) error {
	return s.DeleteSessionFn(ctx, hash)
}

func (s *UserStore) CreateUser(ctx context.Context, u *server.User) error {
	return s.CreateUserFn(ctx, u)
}
func (s *UserStore) FindUserByName(ctx context.Context, name string) (*server.User, error) {
	return s.FindUserByNameFn(ctx, name)
}
func (s *UserStore) FindUserByID(ctx context.Context, id int64) (*server.User, error) {
	return s.FindUserByIDFn(ctx, id)
}
func (s *UserStore) CreateRefreshToken(ctx context.Context, t *server.RefreshToken) error {
	return s.CreateRefreshTokenFn(ctx, t)
}
func (s *UserStore) UseRefreshToken(ctx context.Context, hash string, now time.Time) (*server.RefreshToken, error) {
	return s.UseRefreshTokenFn(ctx, hash, now)
}
func (s *UserStore) RevokeFamily(ctx context.Context, family string) error {
	return s.RevokeFamilyFn(ctx, family)
}

// RuleStore is a mock server.RuleStore.
type RuleStore struct {
	CreateBundleFn func(ctx context.Context, v *server.BundleVersion) error
	FindBundleFn   func(ctx context.Context, version string) (*server.BundleVersion, error)
	ListBundlesFn  func(ctx context.Context) ([]*server.BundleVersion, error)
	PublishFn      func(ctx context.Context, p server.Publication) error
	PublishFirstFn func(ctx context.Context, p server.Publication) (bool, error)
	PublishedFn    func(ctx context.Context) (*server.BundleVersion, error)
	PublicationsFn func(ctx context.Context) ([]server.Publication, error)
	CrisisFn       func(ctx context.Context) (server.Crisis, error)
	SetCrisisFn    func(ctx context.Context, c server.Crisis) error
	ApplyFn        func(ctx context.Context, c server.Change, now time.Time) error
}

func (s *RuleStore) CreateBundle(ctx context.Context, v *server.BundleVersion) error {
	return s.CreateBundleFn(ctx, v)
}
func (s *RuleStore) FindBundle(ctx context.Context, version string) (*server.BundleVersion, error) {
	return s.FindBundleFn(ctx, version)
}
func (s *RuleStore) ListBundles(ctx context.Context) ([]*server.BundleVersion, error) {
	return s.ListBundlesFn(ctx)
}
func (s *RuleStore) Publish(ctx context.Context, p server.Publication) error {
	return s.PublishFn(ctx, p)
}
func (s *RuleStore) PublishFirst(ctx context.Context, p server.Publication) (bool, error) {
	return s.PublishFirstFn(ctx, p)
}
func (s *RuleStore) Published(ctx context.Context) (*server.BundleVersion, error) {
	return s.PublishedFn(ctx)
}
func (s *RuleStore) Publications(ctx context.Context) ([]server.Publication, error) {
	return s.PublicationsFn(ctx)
}
func (s *RuleStore) Crisis(ctx context.Context) (server.Crisis, error) { return s.CrisisFn(ctx) }
func (s *RuleStore) SetCrisis(ctx context.Context, c server.Crisis) error {
	return s.SetCrisisFn(ctx, c)
}
func (s *RuleStore) Apply(ctx context.Context, c server.Change, now time.Time) error {
	return s.ApplyFn(ctx, c, now)
}

// AuditLog is a mock server.AuditLog.
type AuditLog struct {
	AppendFn      func(ctx context.Context, entries []audit.Entry, now time.Time) (server.AppendResult, error)
	ListFn        func(ctx context.Context, f server.AuditFilter) ([]audit.Record, error)
	GetFn         func(ctx context.Context, seq int64) (*audit.Record, error)
	EachFn        func(ctx context.Context, f server.AuditFilter, fn func(*audit.Record) error) error
	CheckpointsFn func(ctx context.Context) ([]audit.Checkpoint, error)
	RuleWeeksFn   func(ctx context.Context, f server.AuditFilter) ([]server.RuleWeek, error)
	PruneFn       func(ctx context.Context, before time.Time) (server.PruneResult, error)

	TreeHashesFn       func(ctx context.Context, idx []int64) ([]tlog.Hash, error)
	TreeCheckpointsFn  func(ctx context.Context) ([]string, error)
	LatestCheckpointFn func(ctx context.Context) (string, error)
}

func (l *AuditLog) TreeHashes(ctx context.Context, idx []int64) ([]tlog.Hash, error) {
	return l.TreeHashesFn(ctx, idx)
}
func (l *AuditLog) TreeCheckpoints(ctx context.Context) ([]string, error) {
	return l.TreeCheckpointsFn(ctx)
}
func (l *AuditLog) LatestCheckpoint(ctx context.Context) (string, error) {
	return l.LatestCheckpointFn(ctx)
}

func (l *AuditLog) Append(ctx context.Context, entries []audit.Entry, now time.Time) (server.AppendResult, error) {
	return l.AppendFn(ctx, entries, now)
}
func (l *AuditLog) List(ctx context.Context, f server.AuditFilter) ([]audit.Record, error) {
	return l.ListFn(ctx, f)
}
func (l *AuditLog) Get(ctx context.Context, seq int64) (*audit.Record, error) {
	return l.GetFn(ctx, seq)
}
func (l *AuditLog) Each(ctx context.Context, f server.AuditFilter, fn func(*audit.Record) error) error {
	return l.EachFn(ctx, f, fn)
}
func (l *AuditLog) Checkpoints(ctx context.Context) ([]audit.Checkpoint, error) {
	return l.CheckpointsFn(ctx)
}
func (l *AuditLog) RuleWeeks(ctx context.Context, f server.AuditFilter) ([]server.RuleWeek, error) {
	return l.RuleWeeksFn(ctx, f)
}
func (l *AuditLog) Prune(ctx context.Context, before time.Time) (server.PruneResult, error) {
	return l.PruneFn(ctx, before)
}
