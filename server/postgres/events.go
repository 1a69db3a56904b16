package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// maxPayload keeps a notification under PostgreSQL's limit of 8000 bytes.
const maxPayload = 7900

// Notify sends an event to every process listening on this database and
// schema, this one included; see server.Fanout. The payload is the name,
// a newline and the data, or only the name when the data is too large.
func (db *DB) Notify(ctx context.Context, name string, data []byte) error {
	payload := name + "\n" + string(data)
	if len(payload) > maxPayload || strings.IndexByte(payload, 0) >= 0 {
		payload = name + "\n"
	}
	_, err := db.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, db.channel, payload)
	return err
}

// ListenerName is the prefix of the application_name of the listener's
// connection, so that it can be found in pg_stat_activity; see
// ListenerApp.
const ListenerName = "postvakt-listener"

// ListenerApp is the application_name of the listeners on schema.
func ListenerApp(schema string) string {
	a := ListenerName + " " + schema
	if len(a) > 63 {
		a = a[:63]
	}
	return a
}

// Listen delivers every notification on the schema's channel until ctx
// ends; see server.Fanout. It holds one connection of its own (not from
// the pool) and, when that connection drops, connects again with a
// growing pause (0.1 s to 5 s), listens again and calls resync.
func (db *DB) Listen(ctx context.Context, deliver func(name string, data []byte), resync func()) {
	pause := 100 * time.Millisecond
	for connected := false; ; {
		err := db.listen(ctx, deliver, func() {
			if connected {
				db.Logger.Info("event listener reconnected")
				resync()
			}
			connected = true
			pause = 100 * time.Millisecond
		})
		if ctx.Err() != nil {
			return
		}
		db.Logger.Warn("event listener lost its connection; reconnecting", "err", err.Error(), "pause", pause.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}

func (db *DB) listen(ctx context.Context, deliver func(name string, data []byte), listening func()) error {
	cfg := db.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = ListenerApp(db.schema)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		// Close says goodbye to the server; bound it, the network may be gone.
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{db.channel}.Sanitize()); err != nil {
		return err
	}
	listening()
	every := db.ListenPing
	if every <= 0 {
		every = 30 * time.Second
	}
	for {
		// A connection lost without a FIN is noticed only by writing to
		// it, so the wait ends every so often for a ping
		// (https://github.com/jackc/pgx/issues/1831); a timeout leaves
		// the connection usable.
		wctx, cancel := context.WithTimeout(ctx, every)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if err != nil && ctx.Err() == nil && pgconn.Timeout(err) {
			pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err = conn.Ping(pctx)
			cancel()
			if err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		name, data, _ := strings.Cut(n.Payload, "\n")
		if data == "" {
			deliver(name, nil)
		} else {
			deliver(name, []byte(data))
		}
	}
}
