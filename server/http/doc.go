// The API, under /api/v1. Every request and response body is JSON unless
// said otherwise; every error is {"error": {"code", "message", "details"?}}
// with a code of package server (EMALFORMED 400, EUNAUTHORIZED 401,
// EFORBIDDEN 403, ENOTFOUND 404, ECONFLICT 409, ETOOLARGE 413, EINVALID
// 422, ETOOMANY 429, EINTERNAL 500). Bodies are limited to 1 MiB (bundles
// and checks to 5 MiB). Authenticated routes take
// "Authorization: Bearer ACCESS_TOKEN".
//
//	POST /auth/login    {"username","password"} → {"access_token","refresh_token","token_type","expires_in","roles","user","unit"}
//	                    5 failures per user name (25 per address) in 15 min → 429 with Retry-After.
//	POST /auth/refresh  {"refresh_token"} → the same shape, with a new refresh token; the old
//	                    one is spent, and presenting a spent one revokes the whole session (401).
//	POST /auth/logout   {"refresh_token"} → 204; revokes the session's refresh tokens.
//
//	GET  /bundle        any role. The published bundle document (what rules.Parse reads), with
//	                    a strong ETag and X-Postvakt-Version; If-None-Match → 304.
//	GET  /bundle/events any role. text/event-stream: "hello" {"version","etag","crisis"} first,
//	                    then "bundle" {"version","etag"} on every publication and rollback and
//	                    "crisis" {"active","message","team","updated_by","updated_at"} on every
//	                    change; a ": heartbeat" comment every 15 s. Reconnect and resync on "hello".
//	GET  /crisis        any role. The crisis state, as in the "crisis" event.
//	POST /audit         any role. {"entries": [audit.Entry, ...]} (at most 500) →
//	                    {"accepted","duplicates","rejected": [{"index","id","problems"}]}. Entries
//	                    are idempotent by id; user (and unit, when the account has one) come from
//	                    the token; free text is sanitised. Drop rejected entries, retry on 5xx.
//
//	GET  /admin/bundles                    admin. {"published", "versions": [{"version","etag","rules","created_by","created_at","published_at","published"}]}
//	POST /admin/bundles                    admin. Body: a bundle document → 201; 422 EINVALID with
//	                                       details [{"path","rule","message"}] for every validation
//	                                       error or failing example; 409 if the version exists.
//	GET  /admin/bundles/{version}          admin. The stored document.
//	POST /admin/bundles/{version}/publish  admin. Publishes (a rollback when the version was
//	                                       published before) → {..., "rollback"}; pushes "bundle".
//	POST /admin/check                      admin. {"draft", "version"?, "bundle"?, "lang"?} → draft.Report.
//	PUT  /admin/crisis                     admin. {"active","message","team"} → the state; pushes "crisis".
//
//	GET  /audit                 compliance. Filters from, to (RFC 3339 or YYYY-MM-DD; "to" is
//	                            exclusive, a date includes that day), user, unit, platform, rule,
//	                            action; limit (1–1000, default 100); cursor → {"entries": [audit.Record],
//	                            "next_cursor"?}, newest first.
//	GET  /audit/{seq}           compliance. One record.
//	GET  /audit/export          compliance. format=jsonl (default) or csv, same filters; JSON Lines
//	                            of audit.Record in log order, which `postvakt audit verify` checks.
//	GET  /audit/checkpoints     compliance. {"key_id","public_key","checkpoints": [audit.Checkpoint]}.
//	GET  /audit/verify          compliance. audit.Report: {"ok","entries","size","checkpoints","faults": [{"kind","position","to"?,"message"}]}.
//
// Outside the API: /healthz, /readyz, /metrics (Prometheus text), and the
// pages under /login, /admin and /compliance.
package http
