package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/postvakt/postvakt/shared/audit"
)

// Journalføring (issue #14): a published post that the archive.journal
// rule flagged, and the comments citizens wrote under it, kept on the
// server until the archive has filed them as a Noark 5 arkivmelding
// (server/noark). Only text that was already public reaches the server,
// and only when a user asks for it; drafts never do.

// Journal item statuses.
const (
	JournalWaiting  = "waiting"  // captured, not yet exported (or new comments since the export)
	JournalExported = "exported" // an arkivmelding was exported
	JournalFiled    = "filed"    // the archive journaled it (closed); ArchiveRef says where
)

// JournalStatuses lists every status, in the order pages show them.
var JournalStatuses = []string{JournalWaiting, JournalExported, JournalFiled}

// Limits on a journal item. They bound storage but take any real post: a
// post on Facebook is at most 63,206 characters and a comment 8,000, and
// a character is up to four bytes.
const (
	MaxJournalText         = 256 << 10 // bytes of the post
	MaxJournalTitle        = 300
	MaxJournalCase         = 50
	MaxJournalURL          = 2000
	MaxJournalAuthor       = 200
	MaxJournalCommentText  = 32_000 // bytes of one comment
	MaxJournalCaptured     = 500    // comments in one capture
	MaxJournalItemComments = 5000   // comments on one item
)

// JournalComment is one comment of the thread, as the page showed it when
// it was captured.
type JournalComment struct {
	Author string `json:"author"`
	// At is when the comment was written, as the page said (RFC 3339), or
	// empty when the page did not say.
	At   string `json:"at,omitempty"`
	Text string `json:"text"`
	// CapturedAt is when the server received it.
	CapturedAt time.Time `json:"captured_at"`
}

// Key identifies a comment within its item, so that a later capture of
// the same thread adds only the comments that are new.
func (c JournalComment) Key() string {
	h := sha256.Sum256([]byte(c.Author + "\x00" + c.At + "\x00" + c.Text))
	return hex.EncodeToString(h[:16])
}

// JournalItem is one published post waiting for, or filed in, the archive.
type JournalItem struct {
	ID          string    `json:"id"`
	Platform    string    `json:"platform"`
	URL         string    `json:"url"`
	PublishedAt time.Time `json:"published_at"`
	Title       string    `json:"title"`
	Text        string    `json:"text"`
	// Case is the archive's case number (saksnummer, "2026/123") when the
	// writer knew it; empty means a new case file.
	Case string `json:"case,omitempty"`
	// Deadline is the last day for input (YYYY-MM-DD), or empty.
	Deadline  string    `json:"deadline,omitempty"`
	CreatedBy string    `json:"created_by"`
	Unit      string    `json:"unit"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Status    string    `json:"status"`
	// ExportedAt is the last export; FiledAt, FiledBy and ArchiveRef say
	// who marked it journaled, when, and the archive's reference.
	ExportedAt time.Time `json:"exported_at,omitzero"`
	FiledAt    time.Time `json:"filed_at,omitzero"`
	FiledBy    string    `json:"filed_by,omitempty"`
	ArchiveRef string    `json:"archive_ref,omitempty"`
	// Hold is a legal hold: the item is not pruned after the retention
	// period while it is set.
	Hold bool `json:"hold"`
	// CommentCount is how many comments the item has; Comments holds them
	// (oldest capture first) only where a method says so.
	CommentCount int              `json:"comment_count"`
	Comments     []JournalComment `json:"comments,omitempty"`
}

// DeadlinePassed reports whether the input deadline is over at now: the
// deadline day ends at midnight, Norwegian time.
func (it *JournalItem) DeadlinePassed(now time.Time) bool {
	if it.Deadline == "" {
		return false
	}
	d, err := time.ParseInLocation(time.DateOnly, it.Deadline, oslo)
	if err != nil {
		return false
	}
	return !now.Before(d.AddDate(0, 0, 1))
}

var oslo = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Oslo"); err == nil {
		return l
	}
	return time.FixedZone("CET", 3600)
}()

// JournalFilter selects items. Zero fields do not filter.
type JournalFilter struct {
	// From and To bound CreatedAt; To is exclusive.
	From, To time.Time
	Status   string
	Case     string
	// Unit limits the list to one unit's items (staff see their own).
	Unit string
	// URL finds the item of one post.
	URL   string
	Limit int
}

// JournalStore keeps journal items.
type JournalStore interface {
	// CreateJournal stores it (ID, CreatedAt and Status set by the caller)
	// with its Comments; duplicate comments (same Key) are stored once.
	CreateJournal(ctx context.Context, it *JournalItem) error
	// AddJournalComments adds the comments not already on item id and
	// returns how many were new; new comments on an exported item set it
	// back to waiting. ENOTFOUND for an unknown id, ECONFLICT when the
	// item is filed.
	AddJournalComments(ctx context.Context, id string, cs []JournalComment, now time.Time) (int, error)
	// GetJournal returns the item with its comments, or ENOTFOUND.
	GetJournal(ctx context.Context, id string) (*JournalItem, error)
	// ListJournal returns matching items without their comments, newest
	// first.
	ListJournal(ctx context.Context, f JournalFilter) ([]*JournalItem, error)
	// MarkJournalExported sets the items' status to exported (unless
	// filed) and appends record to the audit log, in one transaction.
	MarkJournalExported(ctx context.Context, ids []string, at time.Time, record []audit.Entry) error
	// FileJournal marks an item journaled in the archive under ref, with
	// record appended to the audit log in the same transaction.
	FileJournal(ctx context.Context, id, ref, by string, at time.Time, record []audit.Entry) error
	// SetJournalHold sets or lifts the legal hold, with record.
	SetJournalHold(ctx context.Context, id string, hold bool, at time.Time, record []audit.Entry) error
	// PruneJournal deletes filed items filed before before that are not
	// on hold, with their comments, and returns how many went.
	PruneJournal(ctx context.Context, before time.Time) (int64, error)
}

// JournalEntry returns the audit entry of a journal action by actor.
func JournalEntry(actor Actor, now time.Time, action, reason string) audit.Entry {
	return entry(actor, now, action, reason)
}

// PruneJournal deletes the items filed before before that are not on
// legal hold, after appending a journal_pruned entry (by user "postvakt",
// with reason) to the log, so that no deletion goes unrecorded.
func PruneJournal(ctx context.Context, log AuditLog, j JournalStore, before, now time.Time, reason string) (int64, error) {
	e := entry(Actor{Name: "postvakt"}, now, audit.ActionJournalPruned, reason)
	if _, err := log.Append(ctx, []audit.Entry{e}, now); err != nil {
		return 0, err
	}
	return j.PruneJournal(ctx, before)
}
