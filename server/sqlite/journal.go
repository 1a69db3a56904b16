package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/audit"
)

var _ server.JournalStore = (*DB)(nil)

const journalColumns = `id, platform, url, published_at, title, text, case_no, deadline, created_by, unit,
	created_at, updated_at, status, exported_at, filed_at, filed_by, archive_ref, hold,
	(SELECT COUNT(*) FROM journal_comments c WHERE c.item_id = journal_items.id)`

func scanJournal(row scanner) (*server.JournalItem, error) {
	var it server.JournalItem
	var published, created, updated, exported, filed string
	if err := row.Scan(&it.ID, &it.Platform, &it.URL, &published, &it.Title, &it.Text, &it.Case, &it.Deadline,
		&it.CreatedBy, &it.Unit, &created, &updated, &it.Status, &exported, &filed, &it.FiledBy, &it.ArchiveRef,
		&it.Hold, &it.CommentCount); err != nil {
		return nil, err
	}
	it.PublishedAt, it.CreatedAt, it.UpdatedAt = parseTime(published), parseTime(created), parseTime(updated)
	it.ExportedAt, it.FiledAt = parseTime(exported), parseTime(filed)
	return &it, nil
}

func fmtOptTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmtTime(t)
}

// CreateJournal stores a new item and its comments.
func (db *DB) CreateJournal(ctx context.Context, it *server.JournalItem) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: create journal item: %w", err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO journal_items (id, platform, url, published_at, title, text, case_no, deadline,
		created_by, unit, created_at, created_unix, updated_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		it.ID, it.Platform, it.URL, fmtTime(it.PublishedAt), it.Title, it.Text, it.Case, it.Deadline,
		it.CreatedBy, it.Unit, fmtTime(it.CreatedAt), it.CreatedAt.Unix(), fmtTime(it.CreatedAt), it.Status)
	if isUnique(err) {
		return server.Errorf(server.ECONFLICT, "This post is saved for journalføring already.")
	} else if err != nil {
		return fmt.Errorf("sqlite: create journal item: %w", err)
	}
	n, err := addComments(ctx, tx, it.ID, 0, it.Comments)
	if err != nil {
		return fmt.Errorf("sqlite: create journal item: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: create journal item: %w", err)
	}
	it.UpdatedAt, it.CommentCount = it.CreatedAt, n
	return nil
}

// addComments inserts the comments whose key item id lacks, numbered
// from next, and returns how many it inserted.
func addComments(ctx context.Context, tx *sql.Tx, id string, next int, cs []server.JournalComment) (int, error) {
	added := 0
	for _, c := range cs {
		res, err := tx.ExecContext(ctx, `INSERT INTO journal_comments (item_id, n, key, author, at, text, captured_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (item_id, key) DO NOTHING`,
			id, next+added, c.Key(), c.Author, c.At, c.Text, fmtTime(c.CapturedAt))
		if err != nil {
			return 0, fmt.Errorf("add comment: %w", err)
		}
		if k, _ := res.RowsAffected(); k > 0 {
			added++
		}
	}
	return added, nil
}

// AddJournalComments adds a later capture's new comments.
func (db *DB) AddJournalComments(ctx context.Context, id string, cs []server.JournalComment, now time.Time) (int, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: add journal comments: %w", err)
	}
	defer tx.Rollback()
	var status string
	var count int
	err = tx.QueryRowContext(ctx, `SELECT status, (SELECT COUNT(*) FROM journal_comments WHERE item_id = ?) FROM journal_items WHERE id = ?`, id, id).Scan(&status, &count)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, server.Errorf(server.ENOTFOUND, "No such journal item.")
	} else if err != nil {
		return 0, fmt.Errorf("sqlite: add journal comments: %w", err)
	}
	if status == server.JournalFiled {
		return 0, server.Errorf(server.ECONFLICT, "The item is journaled in the archive already; new comments cannot be added to it.")
	}
	added, err := addComments(ctx, tx, id, count, cs)
	if err != nil {
		return 0, fmt.Errorf("sqlite: add journal comments: %w", err)
	}
	if count+added > server.MaxJournalItemComments {
		return 0, server.Errorf(server.EINVALID, "An item holds at most %d comments.", server.MaxJournalItemComments)
	}
	if added > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE journal_items SET updated_at = ?, status = ? WHERE id = ?`, fmtTime(now), server.JournalWaiting, id); err != nil {
			return 0, fmt.Errorf("sqlite: add journal comments: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: add journal comments: %w", err)
	}
	return added, nil
}

// GetJournal returns an item with its comments.
func (db *DB) GetJournal(ctx context.Context, id string) (*server.JournalItem, error) {
	it, err := scanJournal(db.read.QueryRowContext(ctx, `SELECT `+journalColumns+` FROM journal_items WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, server.Errorf(server.ENOTFOUND, "No such journal item.")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: get journal item: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT author, at, text, captured_at FROM journal_comments WHERE item_id = ? ORDER BY n`, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get journal comments: %w", err)
	}
	defer rows.Close()
	it.Comments = []server.JournalComment{}
	for rows.Next() {
		var c server.JournalComment
		var captured string
		if err := rows.Scan(&c.Author, &c.At, &c.Text, &captured); err != nil {
			return nil, fmt.Errorf("sqlite: get journal comments: %w", err)
		}
		c.CapturedAt = parseTime(captured)
		it.Comments = append(it.Comments, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: get journal comments: %w", err)
	}
	return it, nil
}

// ListJournal lists items, newest first.
func (db *DB) ListJournal(ctx context.Context, f server.JournalFilter) ([]*server.JournalItem, error) {
	var conds []string
	var args []any
	add := func(cond string, arg any) { conds = append(conds, cond); args = append(args, arg) }
	if !f.From.IsZero() {
		add("created_unix >= ?", f.From.Unix())
	}
	if !f.To.IsZero() {
		add("created_unix < ?", f.To.Unix())
	}
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if f.Case != "" {
		add("case_no = ?", f.Case)
	}
	if f.Unit != "" {
		add("unit = ?", f.Unit)
	}
	if f.URL != "" {
		add("url = ?", f.URL)
	}
	q := `SELECT ` + journalColumns + ` FROM journal_items`
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	q += " ORDER BY created_unix DESC, created_at DESC, id"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list journal: %w", err)
	}
	defer rows.Close()
	its := []*server.JournalItem{}
	for rows.Next() {
		it, err := scanJournal(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list journal: %w", err)
		}
		its = append(its, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list journal: %w", err)
	}
	return its, nil
}

// journalUpdate runs one update of an item and appends record, in one
// transaction; ENOTFOUND when no row matched.
func (db *DB) journalUpdate(ctx context.Context, what string, record []audit.Entry, now time.Time, fn func(tx *sql.Tx) (int64, error)) error {
	if len(record) > 0 && db.Signer == nil {
		return errors.New("sqlite: no checkpoint signer")
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	defer tx.Rollback()
	n, err := fn(tx)
	if err != nil {
		if server.ErrorCode(err) != server.EINTERNAL {
			return err
		}
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	if n == 0 {
		return server.Errorf(server.ENOTFOUND, "No such journal item.")
	}
	if len(record) > 0 {
		if _, err := db.appendTx(ctx, tx, record, now); err != nil {
			return fmt.Errorf("sqlite: %s: audit: %w", what, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return nil
}

// MarkJournalExported marks items exported, with the export's entry.
func (db *DB) MarkJournalExported(ctx context.Context, ids []string, at time.Time, record []audit.Entry) error {
	return db.journalUpdate(ctx, "mark journal exported", record, at, func(tx *sql.Tx) (int64, error) {
		var total int64
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, `UPDATE journal_items SET exported_at = ?,
				status = CASE status WHEN 'filed' THEN 'filed' ELSE 'exported' END WHERE id = ?`, fmtTime(at), id)
			if err != nil {
				return 0, err
			}
			n, _ := res.RowsAffected()
			if n == 0 {
				return 0, server.Errorf(server.ENOTFOUND, "No such journal item.")
			}
			total += n
		}
		return total, nil
	})
}

// FileJournal marks an item journaled under the archive's reference.
func (db *DB) FileJournal(ctx context.Context, id, ref, by string, at time.Time, record []audit.Entry) error {
	return db.journalUpdate(ctx, "file journal item", record, at, func(tx *sql.Tx) (int64, error) {
		res, err := tx.ExecContext(ctx, `UPDATE journal_items SET status = 'filed', archive_ref = ?, filed_by = ?, filed_at = ?,
			filed_unix = ?, updated_at = ? WHERE id = ?`, ref, by, fmtTime(at), at.Unix(), fmtTime(at), id)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	})
}

// SetJournalHold sets or lifts an item's legal hold.
func (db *DB) SetJournalHold(ctx context.Context, id string, hold bool, at time.Time, record []audit.Entry) error {
	return db.journalUpdate(ctx, "set journal hold", record, at, func(tx *sql.Tx) (int64, error) {
		res, err := tx.ExecContext(ctx, `UPDATE journal_items SET hold = ?, updated_at = ? WHERE id = ?`, hold, fmtTime(at), id)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	})
}

// PruneJournal deletes filed items filed before before, unless on hold.
func (db *DB) PruneJournal(ctx context.Context, before time.Time) (int64, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune journal: %w", err)
	}
	defer tx.Rollback()
	const sel = `SELECT id FROM journal_items WHERE status = 'filed' AND hold = 0 AND filed_unix < ?`
	if _, err := tx.ExecContext(ctx, `DELETE FROM journal_comments WHERE item_id IN (`+sel+`)`, before.Unix()); err != nil {
		return 0, fmt.Errorf("sqlite: prune journal: %w", err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM journal_items WHERE id IN (`+sel+`)`, before.Unix())
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune journal: %w", err)
	}
	n, _ := res.RowsAffected()
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: prune journal: %w", err)
	}
	return n, nil
}
