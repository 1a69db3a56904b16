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
)

// Append adds entries to the chain in one transaction and signs a
// checkpoint of the new head; see server.AuditLog.
func (db *DB) Append(ctx context.Context, entries []audit.Entry, now time.Time) (server.AppendResult, error) {
	var res server.AppendResult
	if db.Signer == nil {
		return res, errors.New("sqlite: no checkpoint signer")
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	if res, err = db.appendTx(ctx, tx, entries, now); err != nil {
		return res, err
	}
	return res, tx.Commit()
}

// appendTx appends entries within tx, so that a change and its audit
// entry commit together.
func (db *DB) appendTx(ctx context.Context, tx *sql.Tx, entries []audit.Entry, now time.Time) (server.AppendResult, error) {
	var res server.AppendResult
	seq, head := int64(0), audit.GenesisHash
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&seq, &head)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return res, err
	}
	seen, err := existingIDs(ctx, tx, entries)
	if err != nil {
		return res, err
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO audit (seq, id, user, unit, platform, host, kind, at, at_unix,
		bundle, action, findings, reason, archive, text_sha256, dropped, prune_before, received, received_unix, digest, prev, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return res, err
	}
	defer stmt.Close()
	received := fmtTime(now)
	for _, e := range entries {
		if seen[e.ID] {
			res.Duplicates++
			continue
		}
		seen[e.ID] = true
		if e.Findings == nil {
			e.Findings = []audit.Finding{}
		}
		at, err := time.Parse(time.RFC3339, e.At)
		if err != nil {
			return res, server.Errorf(server.EINVALID, "Entry %s: at is not an RFC 3339 time.", e.ID)
		}
		seq++
		r := audit.Record{Seq: seq, Entry: e, Received: received}
		audit.Seal(head, &r)
		head = r.Hash
		findings, _ := json.Marshal(e.Findings)
		if _, err := stmt.ExecContext(ctx, r.Seq, e.ID, e.User, e.Unit, e.Platform, e.Host, e.Kind, e.At, at.Unix(),
			e.Bundle, e.Action, string(findings), e.Reason, e.Archive, e.TextSHA256, e.Dropped, e.Before, r.Received, now.Unix(), r.Digest, r.Prev, r.Hash); err != nil {
			return res, err
		}
		res.Accepted++
	}
	if res.Accepted > 0 {
		cp := audit.SignCheckpoint(db.Signer, seq, head, received)
		if _, err := tx.ExecContext(ctx, `INSERT INTO checkpoints (size, hash, time, key_id, sig) VALUES (?, ?, ?, ?, ?)`,
			cp.Size, cp.Hash, cp.Time, cp.KeyID, cp.Sig); err != nil {
			return res, err
		}
	}
	return res, nil
}

// existingIDs returns which of the entries' ids the log holds already.
func existingIDs(ctx context.Context, tx *sql.Tx, entries []audit.Entry) (map[string]bool, error) {
	seen := make(map[string]bool, len(entries))
	const chunk = 200
	for i := 0; i < len(entries); i += chunk {
		part := entries[i:min(i+chunk, len(entries))]
		args := make([]any, len(part))
		for j := range part {
			args[j] = part[j].ID
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
		add("a.at_unix >= ?", f.From.Unix())
	}
	if !f.To.IsZero() {
		add("a.at_unix < ?", f.To.Unix())
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
	rows, err := db.read.QueryContext(ctx, `SELECT `+recordCols+` FROM audit a WHERE `+w+` ORDER BY a.seq`, args...)
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
	rows, err := db.read.QueryContext(ctx, `SELECT a.at_unix / 86400, json_extract(j.value, '$.rule'), COUNT(*)
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
