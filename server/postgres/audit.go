package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/audit"
)

// noNUL replaces NUL characters, which PostgreSQL text cannot hold, by
// U+FFFD. Entries are cleaned before they are hashed, so the stored row
// matches its digest.
func noNUL(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

func cleanEntry(e audit.Entry) audit.Entry {
	for _, p := range []*string{&e.ID, &e.User, &e.Unit, &e.Platform, &e.Host, &e.Kind, &e.At, &e.Bundle, &e.Action, &e.Reason, &e.TextSHA256} {
		*p = noNUL(*p)
	}
	fs := make([]audit.Finding, len(e.Findings))
	for i, f := range e.Findings {
		fs[i] = audit.Finding{Rule: noNUL(f.Rule), Severity: noNUL(f.Severity), Excerpt: noNUL(f.Excerpt)}
	}
	e.Findings = fs
	return e
}

var auditCopyCols = []string{"seq", "id", "user_name", "unit", "platform", "host", "kind", "at", "at_time",
	"bundle", "action", "findings", "reason", "archive", "text_sha256", "dropped", "prune_before", "received", "received_at", "digest", "prev", "hash"}

// Append adds entries to the chain in one transaction and signs a
// checkpoint of the new head; see server.AuditLog. The head row is locked
// for the transaction, so appends from every process queue up behind each
// other; ids already in the log are read under that lock, so a resent
// entry is a duplicate even when another process stored it a moment ago.
func (db *DB) Append(ctx context.Context, entries []audit.Entry, now time.Time) (server.AppendResult, error) {
	var res server.AppendResult
	if db.Signer == nil {
		return res, errors.New("postgres: no checkpoint signer")
	}
	if len(entries) == 0 {
		return res, nil
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return res, err
	}
	defer tx.Rollback(ctx)
	if res, err = db.appendTx(ctx, tx, entries, now); err != nil {
		return res, err
	}
	return res, tx.Commit(ctx)
}

// appendTx appends entries within tx, so that a change and its audit
// entry commit together.
func (db *DB) appendTx(ctx context.Context, tx pgx.Tx, entries []audit.Entry, now time.Time) (server.AppendResult, error) {
	var res server.AppendResult
	// One round trip: lock the head, then read which ids are stored.
	// The lookup must use the unique index on id; on a young table whose
	// statistics are stale the planner scans the whole table instead,
	// which grows with the log until autovacuum analyzes it.
	ids := make([]string, len(entries))
	for i := range entries {
		ids[i] = noNUL(entries[i].ID)
	}
	var seq int64
	var head string
	seen := make(map[string]bool, len(entries))
	batch := &pgx.Batch{}
	batch.Queue(`SET LOCAL enable_seqscan = off`)
	batch.Queue(`SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE`).QueryRow(func(row pgx.Row) error {
		return row.Scan(&seq, &head)
	})
	batch.Queue(`SELECT id FROM audit WHERE id = ANY($1)`, ids).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			seen[id] = true
		}
		return rows.Err()
	})
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return res, err
	}

	received := now.UTC().Format(time.RFC3339Nano)
	var copyRows [][]any
	for _, e := range entries {
		e = cleanEntry(e)
		if seen[e.ID] {
			res.Duplicates++
			continue
		}
		seen[e.ID] = true
		at, err := time.Parse(time.RFC3339, e.At)
		if err != nil {
			return res, server.Errorf(server.EINVALID, "Entry %s: at is not an RFC 3339 time.", e.ID)
		}
		seq++
		r := audit.Record{Seq: seq, Entry: e, Received: received}
		audit.Seal(head, &r)
		head = r.Hash
		findings, _ := json.Marshal(e.Findings)
		copyRows = append(copyRows, []any{r.Seq, e.ID, e.User, e.Unit, e.Platform, e.Host, e.Kind, e.At, at,
			e.Bundle, e.Action, json.RawMessage(findings), e.Reason, e.Archive, e.TextSHA256, int32(e.Dropped), e.Before,
			r.Received, now, r.Digest, r.Prev, r.Hash})
		res.Accepted++
	}
	if res.Accepted == 0 {
		return res, nil
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit"}, auditCopyCols, pgx.CopyFromRows(copyRows)); err != nil {
		return res, err
	}
	cp := audit.SignCheckpoint(db.Signer, seq, head, received)
	batch = &pgx.Batch{}
	batch.Queue(`UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, seq, head)
	batch.Queue(`INSERT INTO checkpoints (size, hash, time, key_id, sig) VALUES ($1, $2, $3, $4, $5)`,
		cp.Size, cp.Hash, cp.Time, cp.KeyID, cp.Sig)
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return res, err
	}
	return res, nil
}

const recordCols = `a.seq, a.id, a.user_name, a.unit, a.platform, a.host, a.kind, a.at, a.bundle, a.action,
	a.findings, a.reason, a.archive, a.text_sha256, a.dropped, a.prune_before, a.received, a.digest, a.pruned, a.prev, a.hash`

func scanRecord(row pgx.Row) (*audit.Record, error) {
	var r audit.Record
	var findings []byte
	var dropped int32
	err := row.Scan(&r.Seq, &r.ID, &r.User, &r.Unit, &r.Platform, &r.Host, &r.Kind, &r.At, &r.Bundle, &r.Action,
		&findings, &r.Reason, &r.Archive, &r.TextSHA256, &dropped, &r.Before, &r.Received, &r.Digest, &r.Pruned, &r.Prev, &r.Hash)
	if err != nil {
		return nil, err
	}
	r.Dropped = int(dropped)
	if err := json.Unmarshal(findings, &r.Findings); err != nil || r.Findings == nil {
		// A row whose findings were mangled is still returned, so that
		// verification reports it as edited rather than failing.
		r.Findings = []audit.Finding{{Rule: "?", Severity: "?", Excerpt: string(findings)}}
	}
	return &r, nil
}

// where builds the conditions for f; every value is a bound parameter.
func where(f server.AuditFilter) (string, []any) {
	conds := []string{"true"}
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	if !f.From.IsZero() {
		add("a.at_time >= ?", f.From)
	}
	if !f.To.IsZero() {
		add("a.at_time < ?", f.To)
	}
	for _, c := range []struct{ col, v string }{{"user_name", f.User}, {"unit", f.Unit}, {"platform", f.Platform}, {"action", f.Action}} {
		if c.v != "" {
			add("a."+c.col+" = ?", c.v)
		}
	}
	if f.Rule != "" {
		add("a.findings @> jsonb_build_array(jsonb_build_object('rule', ?::text))", f.Rule)
	}
	return strings.Join(conds, " AND "), args
}

// List returns matching records, newest first.
func (db *DB) List(ctx context.Context, f server.AuditFilter) ([]audit.Record, error) {
	w, args := where(f)
	if f.Before > 0 {
		args = append(args, f.Before)
		w += fmt.Sprintf(" AND a.seq < $%d", len(args))
	}
	q := `SELECT ` + recordCols + ` FROM audit a WHERE ` + w + ` ORDER BY a.seq DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []audit.Record{}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// Get returns the record at seq.
func (db *DB) Get(ctx context.Context, seq int64) (*audit.Record, error) {
	r, err := scanRecord(db.pool.QueryRow(ctx, `SELECT `+recordCols+` FROM audit a WHERE a.seq = $1`, seq))
	if noRows(err) {
		return nil, server.Errorf(server.ENOTFOUND, "No audit entry at position %d.", seq)
	}
	return r, err
}

// Each calls fn for every matching record in position order.
func (db *DB) Each(ctx context.Context, f server.AuditFilter, fn func(*audit.Record) error) error {
	w, args := where(f)
	rows, err := db.pool.Query(ctx, `SELECT `+recordCols+` FROM audit a WHERE `+w+` ORDER BY a.seq`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Checkpoints returns every checkpoint, oldest first.
func (db *DB) Checkpoints(ctx context.Context) ([]audit.Checkpoint, error) {
	rows, err := db.pool.Query(ctx, `SELECT size, hash, time, key_id, sig FROM checkpoints ORDER BY size`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []audit.Checkpoint{}
	for rows.Next() {
		var c audit.Checkpoint
		if err := rows.Scan(&c.Size, &c.Hash, &c.Time, &c.KeyID, &c.Sig); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RuleWeeks counts findings per rule per ISO week, ordered by week then rule.
func (db *DB) RuleWeeks(ctx context.Context, f server.AuditFilter) ([]server.RuleWeek, error) {
	w, args := where(f)
	rows, err := db.pool.Query(ctx, `SELECT to_char(a.at_time AT TIME ZONE 'UTC', 'IYYY-"W"IW'), COALESCE(j->>'rule', ''), COUNT(*)
		FROM audit a, jsonb_array_elements(a.findings) j WHERE `+w+` GROUP BY 1, 2 ORDER BY 1, 2`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []server.RuleWeek{}
	for rows.Next() {
		var rw server.RuleWeek
		var n int64
		if err := rows.Scan(&rw.Week, &rw.Rule, &n); err != nil {
			return nil, err
		}
		rw.Count = int(n)
		out = append(out, rw)
	}
	return out, rows.Err()
}

// Prune blanks the contents of records received before before; see
// server.AuditLog. The append-only trigger lets exactly this update through.
func (db *DB) Prune(ctx context.Context, before time.Time) (server.PruneResult, error) {
	var res server.PruneResult
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return res, err
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, `UPDATE audit SET pruned = true, user_name = '', unit = '', platform = '', host = '', kind = '',
		bundle = '', findings = '[]'::jsonb, reason = '', archive = false, text_sha256 = '', dropped = 0, prune_before = ''
		WHERE NOT pruned AND digest <> '' AND received_at < $1 AND action <> 'audit_pruned'`, before)
	if err != nil {
		return res, err
	}
	res.Pruned = tag.RowsAffected()
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit WHERE digest = '' AND received_at < $1`, before).Scan(&res.Kept); err != nil {
		return res, err
	}
	return res, tx.Commit(ctx)
}
