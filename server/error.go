// Package server holds Postvakt's server-side domain: users, rule-bundle
// versions, crisis state and the audit log, the store interfaces that
// server/sqlite and server/postgres implement, and the one error
// vocabulary that every layer speaks. Packages below server depend on it;
// it depends on none of them.
package server

import (
	"errors"
	"fmt"
)

// Error codes. They reach API clients in `{"error": {"code": ...}}`, so the
// list is append-only: never rename or reuse a code. server/http maps them
// to HTTP statuses in one place.
const (
	ECONFLICT     = "ECONFLICT"     // the resource exists, or the request conflicts with its state
	EINTERNAL     = "EINTERNAL"     // a bug or an outage; the message is generic
	EINVALID      = "EINVALID"      // well-formed but invalid input (422)
	EMALFORMED    = "EMALFORMED"    // the request body or a parameter cannot be parsed (400)
	ENOTFOUND     = "ENOTFOUND"     // no such resource
	EUNAUTHORIZED = "EUNAUTHORIZED" // no, or no valid, credentials
	EFORBIDDEN    = "EFORBIDDEN"    // valid credentials without the needed role
	ETOOLARGE     = "ETOOLARGE"     // the request body is over the limit
	ETOOMANY      = "ETOOMANY"      // rate-limited; retry later
)

// Error is an application error with a code from the list above and a
// message that is safe to show to the client. Details, when set, is
// returned too (validation errors, failing examples).
type Error struct {
	Code    string
	Message string
	Details any
}

func (e *Error) Error() string {
	return fmt.Sprintf("postvakt error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain,
// EINTERNAL for any other error, or "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message for any other error, so internal details never reach a
// client.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
