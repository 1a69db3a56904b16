package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/audit"
)

var _ server.JournalStore = (*DB)(nil)

const journalColumns = `id, platform, url, published_at, title, text, case_no, deadline, created_by, unit,
	created_at, updated_at, status, exported_at, filed_at, filed_by, archive_ref, hold,
	(SELECT COUNT(*) FROM journal_comments c WHERE c.item_id = journal_items.id)`

func scanJournal(row pgx.Row) (*server.JournalItem, error) {
	var it server.JournalItem
	var exported, filed pgtype.Timestamptz
	var count int64
	if err := row.Scan(&it.ID, &it.Platform, &it.URL, &it.PublishedAt, &it.Title, &it.Text, &it.Case, &it.Deadline,
		&it.CreatedBy, &it.Unit, &it.CreatedAt, &it.UpdatedAt, &it.Status, &exported, &filed, &it.FiledBy, &it.ArchiveRef,
		&it.Hold, &count); err != nil {
		return nil, err
	}
	it.CommentCount = int(count)
	it.PublishedAt, it.CreatedAt, it.UpdatedAt = utc(it.PublishedAt), utc(it.CreatedAt), utc(it.UpdatedAt)
	if exported.Valid {
		it.ExportedAt = utc(exported.Time)
	}
	if filed.Valid {
		it.FiledAt = utc(filed.Time)
	}
	return &it, nil
}

// CreateJournal stores a new item and its comments.
func (db *DB) CreateJournal(ctx context.Context, it *server.JournalItem) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: create journal item: %w", err)
	}
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, `INSERT INTO journal_items (id, platform, url, published_at, title, text, case_no, deadline,
		created_by, unit, created_at, updated_at, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)`,
		it.ID, it.Platform, it.URL, it.PublishedAt, noNUL(it.Title), noNUL(it.Text), noNUL(it.Case), it.Deadline,
		it.CreatedBy, it.Unit, it.CreatedAt, it.Status)
	if isCode(err, codeUnique) {
		return server.Errorf(server.ECONFLICT, "This post is saved for journalføring already.")
	} else if err != nil {
		return fmt.Errorf("postgres: create journal item: %w", err)
	}
	n, err := addComments(ctx, tx, it.ID, 0, it.Comments)
	if err != nil {
		return fmt.Errorf("postgres: create journal item: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: create journal item: %w", err)
	}
	it.UpdatedAt, it.CommentCount = it.CreatedAt, n
	return nil
}

func addComments(ctx context.Context, tx pgx.Tx, id string, next int, cs []server.JournalComment) (int, error) {
	added := 0
	for _, c := range cs {
		tag, err := tx.Exec(ctx, `INSERT INTO journal_comments (item_id, n, key, author, at, text, captured_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (item_id, key) DO NOTHING`,
			id, next+added, c.Key(), noNUL(c.Author), noNUL(c.At), noNUL(c.Text), c.CapturedAt)
		if err != nil {
			return 0, fmt.Errorf("add comment: %w", err)
		}
		if tag.RowsAffected() > 0 {
			added++
		}
	}
	return added, nil
}

// AddJournalComments adds a later capture's new comments. The item's row
// is locked, so concurrent captures number their comments one after the
// other.
func (db *DB) AddJournalComments(ctx context.Context, id string, cs []server.JournalComment, now time.Time) (int, error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("postgres: add journal comments: %w", err)
	}
	defer tx.Rollback(ctx)
	var status string
	err = tx.QueryRow(ctx, `SELECT status FROM journal_items WHERE id = $1 FOR UPDATE`, id).Scan(&status)
	if noRows(err) {
		return 0, server.Errorf(server.ENOTFOUND, "No such journal item.")
	} else if err != nil {
		return 0, fmt.Errorf("postgres: add journal comments: %w", err)
	}
	if status == server.JournalFiled {
		return 0, server.Errorf(server.ECONFLICT, "The item is journaled in the archive already; new comments cannot be added to it.")
	}
	var count int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM journal_comments WHERE item_id = $1`, id).Scan(&count); err != nil {
		return 0, fmt.Errorf("postgres: add journal comments: %w", err)
	}
	added, err := addComments(ctx, tx, id, count, cs)
	if err != nil {
		return 0, fmt.Errorf("postgres: add journal comments: %w", err)
	}
	if count+added > server.MaxJournalItemComments {
		return 0, server.Errorf(server.EINVALID, "An item holds at most %d comments.", server.MaxJournalItemComments)
	}
	if added > 0 {
		if _, err := tx.Exec(ctx, `UPDATE journal_items SET updated_at = $1, status = $2 WHERE id = $3`, now, server.JournalWaiting, id); err != nil {
			return 0, fmt.Errorf("postgres: add journal comments: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("postgres: add journal comments: %w", err)
	}
	return added, nil
}

// GetJournal returns an item with its comments.
func (db *DB) GetJournal(ctx context.Context, id string) (*server.JournalItem, error) {
	it, err := scanJournal(db.pool.QueryRow(ctx, `SELECT `+journalColumns+` FROM journal_items WHERE id = $1`, id))
	if noRows(err) {
		return nil, server.Errorf(server.ENOTFOUND, "No such journal item.")
	} else if err != nil {
		return nil, fmt.Errorf("postgres: get journal item: %w", err)
	}
	rows, err := db.pool.Query(ctx, `SELECT author, at, text, captured_at FROM journal_comments WHERE item_id = $1 ORDER BY n`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: get journal comments: %w", err)
	}
	defer rows.Close()
	it.Comments = []server.JournalComment{}
	for rows.Next() {
		var c server.JournalComment
		if err := rows.Scan(&c.Author, &c.At, &c.Text, &c.CapturedAt); err != nil {
			return nil, fmt.Errorf("postgres: get journal comments: %w", err)
		}
		c.CapturedAt = utc(c.CapturedAt)
		it.Comments = append(it.Comments, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: get journal comments: %w", err)
	}
	return it, nil
}

// ListJournal lists items, newest first.
func (db *DB) ListJournal(ctx context.Context, f server.JournalFilter) ([]*server.JournalItem, error) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if !f.From.IsZero() {
		add("created_at >= $%d", f.From)
	}
	if !f.To.IsZero() {
		add("created_at < $%d", f.To)
	}
	if f.Status != "" {
		add("status = $%d", f.Status)
	}
	if f.Case != "" {
		add("case_no = $%d", noNUL(f.Case))
	}
	if f.Unit != "" {
		add("unit = $%d", noNUL(f.Unit))
	}
	if f.URL != "" {
		add("url = $%d", noNUL(f.URL))
	}
	q := `SELECT ` + journalColumns + ` FROM journal_items`
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	q += " ORDER BY created_at DESC, id"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list journal: %w", err)
	}
	defer rows.Close()
	its := []*server.JournalItem{}
	for rows.Next() {
		it, err := scanJournal(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: list journal: %w", err)
		}
		its = append(its, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list journal: %w", err)
	}
	return its, nil
}

// journalUpdate runs one update of items and appends record, in one
// transaction; ENOTFOUND when no row matched.
func (db *DB) journalUpdate(ctx context.Context, what string, record []audit.Entry, now time.Time, fn func(tx pgx.Tx) (int64, error)) error {
	if len(record) > 0 && db.Signer == nil {
		return errors.New("postgres: no checkpoint signer")
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
	defer tx.Rollback(ctx)
	n, err := fn(tx)
	if err != nil {
		if server.ErrorCode(err) != server.EINTERNAL {
			return err
		}
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
	if n == 0 {
		return server.Errorf(server.ENOTFOUND, "No such journal item.")
	}
	if len(record) > 0 {
		if _, err := db.appendTx(ctx, tx, record, now); err != nil {
			return fmt.Errorf("postgres: %s: audit: %w", what, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
	return nil
}

// MarkJournalExported marks items exported, with the export's entry.
func (db *DB) MarkJournalExported(ctx context.Context, ids []string, at time.Time, record []audit.Entry) error {
	return db.journalUpdate(ctx, "mark journal exported", record, at, func(tx pgx.Tx) (int64, error) {
		var total int64
		for _, id := range ids {
			tag, err := tx.Exec(ctx, `UPDATE journal_items SET exported_at = $1,
				status = CASE status WHEN 'filed' THEN 'filed' ELSE 'exported' END WHERE id = $2`, at, id)
			if err != nil {
				return 0, err
			}
			if tag.RowsAffected() == 0 {
				return 0, server.Errorf(server.ENOTFOUND, "No such journal item.")
			}
			total += tag.RowsAffected()
		}
		return total, nil
	})
}

// FileJournal marks an item journaled under the archive's reference.
func (db *DB) FileJournal(ctx context.Context, id, ref, by string, at time.Time, record []audit.Entry) error {
	return db.journalUpdate(ctx, "file journal item", record, at, func(tx pgx.Tx) (int64, error) {
		tag, err := tx.Exec(ctx, `UPDATE journal_items SET status = 'filed', archive_ref = $1, filed_by = $2, filed_at = $3,
			updated_at = $3 WHERE id = $4`, noNUL(ref), by, at, id)
		return tag.RowsAffected(), err
	})
}

// SetJournalHold sets or lifts an item's legal hold.
func (db *DB) SetJournalHold(ctx context.Context, id string, hold bool, at time.Time, record []audit.Entry) error {
	return db.journalUpdate(ctx, "set journal hold", record, at, func(tx pgx.Tx) (int64, error) {
		tag, err := tx.Exec(ctx, `UPDATE journal_items SET hold = $1, updated_at = $2 WHERE id = $3`, hold, at, id)
		return tag.RowsAffected(), err
	})
}

// PruneJournal deletes filed items filed before before, unless on hold.
func (db *DB) PruneJournal(ctx context.Context, before time.Time) (int64, error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("postgres: prune journal: %w", err)
	}
	defer tx.Rollback(ctx)
	const sel = `SELECT id FROM journal_items WHERE status = 'filed' AND NOT hold AND filed_at < $1`
	if _, err := tx.Exec(ctx, `DELETE FROM journal_comments WHERE item_id IN (`+sel+`)`, before); err != nil {
		return 0, fmt.Errorf("postgres: prune journal: %w", err)
	}
	tag, err := tx.Exec(ctx, `DELETE FROM journal_items WHERE id IN (`+sel+`)`, before)
	if err != nil {
		return 0, fmt.Errorf("postgres: prune journal: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("postgres: prune journal: %w", err)
	}
	return tag.RowsAffected(), nil
}

// noNUL replaces NUL, which PostgreSQL text cannot hold, in a string the
// journal stores (the audit log's strings are cleaned by audit.Sequence).
func noNUL(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}
