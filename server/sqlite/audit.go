package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/audit"
	"golang.org/x/mod/sumdb/tlog"
)

// Append adds entries to the log in one transaction with
// audit.Sequence, stores the tree hashes they add and signs a checkpoint
// of the new tree; see server.AuditLog. The one write connection
// serialises appends.
func (db *DB) Append(ctx context.Context, entries []audit.Entry, now time.Time) (server.AppendResult, error) {
	var res server.AppendResult
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("sqlite: append audit: %w", err)
	}
	defer tx.Rollback()
	if res, err = db.appendTx(ctx, tx, entries, now); err != nil {
		var ee *audit.EntryError
		if errors.As(err, &ee) {
			return res, server.Errorf(server.EINVALID, "Entry %s: %s.", ee.ID, ee.Msg)
		}
		return res, fmt.Errorf("sqlite: append audit: %w", err)
	}
	return res, tx.Commit()
}

// appendTx appends entries within tx, so that a change and its audit
// entry commit together.
func (db *DB) appendTx(ctx context.Context, tx *sql.Tx, entries []audit.Entry, now time.Time) (server.AppendResult, error) {
	var res server.AppendResult
	if db.Signer == nil {
		return res, errors.New("no checkpoint signer")
	}
	head := audit.Head{Hash: audit.GenesisHash}
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&head.Seq, &head.Hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return res, err
	}
	var latest string
	err = tx.QueryRowContext(ctx, `SELECT size, note FROM audit_trees ORDER BY size DESC LIMIT 1`).Scan(&head.TreeSize, &latest)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return res, err
	}
	var pending []string
	if head.TreeSize < head.Seq {
		// A log from before the tree: its records go in first.
		if pending, err = column[string](ctx, tx, `SELECT hash FROM audit WHERE seq > ? ORDER BY seq`, head.TreeSize); err != nil {
			return res, err
		}
	}
	frontier, err := readHashes(ctx, tx, audit.FrontierIndexes(head.TreeSize))
	if err != nil {
		return res, err
	}
	seen, err := existingIDs(ctx, tx, audit.IDs(entries))
	if err != nil {
		return res, err
	}
	b, err := audit.Sequence(head, entries, seen, frontier, pending, now)
	if err != nil {
		return res, err
	}
	res.Accepted, res.Duplicates = len(b.Records), b.Duplicates
	if b.Tree.N == head.TreeSize {
		res.Checkpoint = latest
		return res, nil
	}
	// Multi-row inserts: one statement per chunk rather than per row.
	rows := make([]any, 0, auditCols*len(b.Records))
	for i := range b.Records {
		r := &b.Records[i]
		findings, _ := json.Marshal(r.Findings)
		rows = append(rows, r.Seq, r.ID, r.User, r.Unit, r.Platform, r.Host, r.Kind, r.At, b.At[i].Unix(),
			r.Bundle, r.Action, string(findings), r.Reason, r.Archive, r.TextSHA256, r.Dropped, r.Before, r.Received, now.Unix(), r.Digest, r.Prev, r.Hash)
	}
	if err := db.insertRows(ctx, tx, auditInsert, auditCols, rows); err != nil {
		return res, err
	}
	rows = make([]any, 0, 2*len(b.Hashes))
	for _, h := range b.Hashes {
		rows = append(rows, h.Index, h.Hash[:])
	}
	if err := db.insertRows(ctx, tx, treeInsert, treeCols, rows); err != nil {
		return res, err
	}
	note, err := audit.SignCheckpointNote(db.Signer, b.Tree)
	if err != nil {
		return res, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_trees (size, note, signed_at) VALUES (?, ?, ?)`, b.Tree.N, note, fmtTime(now)); err != nil {
		return res, err
	}
	// The hash chain's own checkpoint, as before the tree, so that
	// verifiers of older exports keep working.
	if len(b.Records) > 0 {
		cp := audit.SignCheckpoint(db.Signer, b.Head.Seq, b.Head.Hash, fmtTime(now))
		if _, err := tx.ExecContext(ctx, `INSERT INTO checkpoints (size, hash, time, key_id, sig) VALUES (?, ?, ?, ?, ?)`,
			cp.Size, cp.Hash, cp.Time, cp.KeyID, cp.Sig); err != nil {
			return res, err
		}
	}
	res.Checkpoint = note
	return res, nil
}

// Multi-row inserts of the audit append, prepared once on Open (a
// statement of a hundred rows costs as much to prepare as to run, and
// the one write connection is busy inside the append's transaction).
// Rows go in chunks of the sizes in insertChunks, largest first.
const (
	auditInsert = `INSERT INTO audit (seq, id, user, unit, platform, host, kind, at, at_unix,
		bundle, action, findings, reason, archive, text_sha256, dropped, prune_before, received, received_unix, digest, prev, hash) VALUES `
	auditCols  = 22
	treeInsert = `INSERT INTO audit_tree (idx, hash) VALUES `
	treeCols   = 2
)

var insertChunks = []int{100, 10, 1}

func insertQuery(prefix string, cols, n int) string {
	tuple := "(?" + strings.Repeat(", ?", cols-1) + ")"
	return prefix + tuple + strings.Repeat(", "+tuple, n-1)
}

// prepareInserts prepares the chunked inserts on the write pool.
func (db *DB) prepareInserts() error {
	db.inserts = map[string]*sql.Stmt{}
	for _, t := range []struct {
		prefix string
		cols   int
	}{{auditInsert, auditCols}, {treeInsert, treeCols}} {
		for _, n := range insertChunks {
			q := insertQuery(t.prefix, t.cols, n)
			st, err := db.write.Prepare(q)
			if err != nil {
				return err
			}
			db.inserts[q] = st
		}
	}
	return nil
}

// insertRows inserts rows (cols values each, flattened) with the
// prepared chunked statements.
func (db *DB) insertRows(ctx context.Context, tx *sql.Tx, prefix string, cols int, rows []any) error {
	for len(rows) > 0 {
		n := 1
		for _, c := range insertChunks {
			if c <= len(rows)/cols {
				n = c
				break
			}
		}
		st, ok := db.inserts[insertQuery(prefix, cols, n)]
		if !ok {
			return fmt.Errorf("no prepared insert of %d rows", n)
		}
		if _, err := tx.StmtContext(ctx, st).ExecContext(ctx, rows[:n*cols]...); err != nil {
			return err
		}
		rows = rows[n*cols:]
	}
	return nil
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// column reads one column of every row.
func column[T any](ctx context.Context, q querier, query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// readHashes reads stored tree hashes by index.
func readHashes(ctx context.Context, q querier, idx []int64) (map[int64]tlog.Hash, error) {
	out := make(map[int64]tlog.Hash, len(idx))
	const chunk = 200
	for i := 0; i < len(idx); i += chunk {
		part := idx[i:min(i+chunk, len(idx))]
		args := make([]any, len(part))
		for j := range part {
			args[j] = part[j]
		}
		rows, err := q.QueryContext(ctx, `SELECT idx, hash FROM audit_tree WHERE idx IN (?`+strings.Repeat(",?", len(part)-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var x int64
			var h []byte
			if err := rows.Scan(&x, &h); err != nil {
				rows.Close()
				return nil, err
			}
			var th tlog.Hash
			copy(th[:], h)
			out[x] = th
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TreeHashes returns stored tree hashes in the order of idx.
func (db *DB) TreeHashes(ctx context.Context, idx []int64) ([]tlog.Hash, error) {
	m, err := readHashes(ctx, db.read, idx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tree hashes: %w", err)
	}
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		h, ok := m[x]
		if !ok {
			return nil, fmt.Errorf("sqlite: tree hash %d is missing", x)
		}
		out[i] = h
	}
	return out, nil
}

// TreeCheckpoints returns every signed tree checkpoint, smallest first.
func (db *DB) TreeCheckpoints(ctx context.Context) ([]string, error) {
	out, err := column[string](ctx, db.read, `SELECT note FROM audit_trees ORDER BY size`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tree checkpoints: %w", err)
	}
	return out, nil
}

// LatestCheckpoint returns the newest signed tree checkpoint, or "".
func (db *DB) LatestCheckpoint(ctx context.Context) (string, error) {
	var n string
	err := db.read.QueryRowContext(ctx, `SELECT note FROM audit_trees ORDER BY size DESC LIMIT 1`).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("sqlite: latest checkpoint: %w", err)
	}
	return n, nil
}

// existingIDs returns which of the entries' ids the log holds already.
func existingIDs(ctx context.Context, tx *sql.Tx, ids []string) (map[string]bool, error) {
	seen := make(map[string]bool, len(ids))
	const chunk = 200
	for i := 0; i < len(ids); i += chunk {
		part := ids[i:min(i+chunk, len(ids))]
		args := make([]any, len(part))
		for j := range part {
			args[j] = part[j]
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM audit WHERE id IN (?`+strings.Repeat(",?", len(part)-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			seen[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return seen, nil
}

const recordCols = `a.seq, a.id, a.user, a.unit, a.platform, a.host, a.kind, a.at, a.bundle, a.action,
	a.findings, a.reason, a.archive, a.text_sha256, a.dropped, a.prune_before, a.received, a.digest, a.pruned, a.prev, a.hash`

func scanRecord(row interface{ Scan(...any) error }) (*audit.Record, error) {
	var r audit.Record
	var findings string
	err := row.Scan(&r.Seq, &r.ID, &r.User, &r.Unit, &r.Platform, &r.Host, &r.Kind, &r.At, &r.Bundle, &r.Action,
		&findings, &r.Reason, &r.Archive, &r.TextSHA256, &r.Dropped, &r.Before, &r.Received, &r.Digest, &r.Pruned, &r.Prev, &r.Hash)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(findings), &r.Findings); err != nil {
		// A row whose findings were mangled is still returned, so that
		// verification reports it as edited rather than failing.
		r.Findings = []audit.Finding{{Rule: "?", Severity: "?", Excerpt: findings}}
	}
	return &r, nil
}

// where builds the conditions for f; every value is a bound parameter.
func where(f server.AuditFilter) (string, []any) {
	conds := []string{"1 = 1"}
	var args []any
	add := func(cond string, arg any) {
		conds = append(conds, cond)
		args = append(args, arg)
	}
	if !f.From.IsZero() {
		add("a.received_unix >= ?", f.From.Unix())
	}
	if !f.To.IsZero() {
		add("a.received_unix < ?", f.To.Unix())
	}
	for _, c := range []struct{ col, v string }{{"user", f.User}, {"unit", f.Unit}, {"platform", f.Platform}, {"action", f.Action}} {
		if c.v != "" {
			add("a."+c.col+" = ?", c.v)
		}
	}
	if f.Rule != "" {
		add("EXISTS (SELECT 1 FROM json_each(a.findings) j WHERE json_extract(j.value, '$.rule') = ?)", f.Rule)
	}
	return strings.Join(conds, " AND "), args
}

// List returns matching records, newest first.
func (db *DB) List(ctx context.Context, f server.AuditFilter) ([]audit.Record, error) {
	w, args := where(f)
	if f.Before > 0 {
		w += " AND a.seq < ?"
		args = append(args, f.Before)
	}
	q := `SELECT ` + recordCols + ` FROM audit a WHERE ` + w + ` ORDER BY a.seq DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
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
	r, err := scanRecord(db.read.QueryRowContext(ctx, `SELECT `+recordCols+` FROM audit a WHERE a.seq = ?`, seq))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, server.Errorf(server.ENOTFOUND, "No audit entry at position %d.", seq)
	}
	return r, err
}

// Each calls fn for every matching record in position order.
func (db *DB) Each(ctx context.Context, f server.AuditFilter, fn func(*audit.Record) error) error {
	w, args := where(f)
	if f.After > 0 {
		w += " AND a.seq > ?"
		args = append(args, f.After)
	}
	q := `SELECT ` + recordCols + ` FROM audit a WHERE ` + w + ` ORDER BY a.seq`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
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
	rows, err := db.read.QueryContext(ctx, `SELECT size, hash, time, key_id, sig FROM checkpoints ORDER BY size`)
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
	rows, err := db.read.QueryContext(ctx, `SELECT a.received_unix / 86400, json_extract(j.value, '$.rule'), COUNT(*)
		FROM audit a, json_each(a.findings) j WHERE `+w+` GROUP BY 1, 2`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type key struct{ week, rule string }
	counts := map[key]int{}
	for rows.Next() {
		var day int64
		var rule sql.NullString
		var n int
		if err := rows.Scan(&day, &rule, &n); err != nil {
			return nil, err
		}
		y, wk := time.Unix(day*86400, 0).UTC().ISOWeek()
		counts[key{fmt.Sprintf("%04d-W%02d", y, wk), rule.String}] += n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]server.RuleWeek, 0, len(counts))
	for k, n := range counts {
		out = append(out, server.RuleWeek{Week: k.week, Rule: k.rule, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Week != out[j].Week {
			return out[i].Week < out[j].Week
		}
		return out[i].Rule < out[j].Rule
	})
	return out, nil
}

// Prune blanks the contents of records received before before; see
// server.AuditLog. The append-only trigger lets exactly this update through.
func (db *DB) Prune(ctx context.Context, before time.Time) (server.PruneResult, error) {
	var res server.PruneResult
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	r, err := tx.ExecContext(ctx, `UPDATE audit SET pruned = 1, user = '', unit = '', platform = '', host = '', kind = '',
		bundle = '', findings = '[]', reason = '', archive = 0, text_sha256 = '', dropped = 0, prune_before = ''
		WHERE pruned = 0 AND digest <> '' AND received_unix < ? AND action <> 'audit_pruned'`, before.Unix())
	if err != nil {
		return res, err
	}
	if res.Pruned, err = r.RowsAffected(); err != nil {
		return res, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit WHERE digest = '' AND received_unix < ?`, before.Unix()).Scan(&res.Kept); err != nil {
		return res, err
	}
	return res, tx.Commit()
}
