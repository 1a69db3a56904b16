// Package api is the checker's interface to JavaScript, in plain Go: every
// method takes and returns JSON strings (or bytes for images), never
// panics, and answers errors as {"error": {"code", "message"}}. The
// syscall/js glue in wasm/main_js.go only converts arguments and calls
// these methods, so everything here is tested natively.
//
// Responses:
//
//	LoadBundle(json)           {"version": "...", "rules": 23}
//	Check(draftJSON, optsJSON) a Report (shared/draft), or an error
//	Builtin()                  the built-in bundle's JSON
//	TextHash(text)             {"sha256": "..."} of the normalised text (shared/audit)
//	LoadCascade(bytes)         {"ok": true}
//	DetectFaces(rgba, w, h)    {"faces": [{"x","y","size","score"}]}
package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/postvakt/postvakt/shared/audit"
	"github.com/postvakt/postvakt/shared/draft"
	"github.com/postvakt/postvakt/shared/engine"
	"github.com/postvakt/postvakt/shared/rules"
	"github.com/postvakt/postvakt/wasm/faces"
)

// MaxDraftBytes caps a draft's JSON: Facebook's limit is 63,206
// characters, and wasm memory grows but never shrinks.
const MaxDraftBytes = 1 << 20

// Error codes; append-only, the extension matches on them.
const (
	EInvalid  = "EINVALID" // malformed input
	EBundle   = "EBUNDLE"  // a bundle that does not validate or whose examples fail
	ENoFaces  = "ENOCASCADE"
	EInternal = "EINTERNAL" // a recovered panic
	// EInconsistent: the audit log's checkpoints are not consistent (the
	// log was rolled back, rewritten or forked), or one is not signed by
	// the log's key.
	EInconsistent = "EINCONSISTENT"
)

// API holds the active engine. The zero value is ready: until a bundle
// is loaded, the built-in bundle is used.
type API struct {
	mu   sync.Mutex
	eng  *engine.Engine
	face *faces.Detector
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details any    `json:"details,omitempty"`
	} `json:"error"`
}

func errJSON(code, msg string, details any) string {
	var e errorBody
	e.Error.Code, e.Error.Message, e.Error.Details = code, msg, details
	b, _ := json.Marshal(e)
	return string(b)
}

func okJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return errJSON(EInternal, err.Error(), nil)
	}
	return string(b)
}

// Guard runs f and turns a panic into an EINTERNAL error answer, so a bug
// never kills the Go instance (every later call would then fail).
func Guard(f func() string) (out string) {
	defer func() {
		if r := recover(); r != nil {
			out = errJSON(EInternal, fmt.Sprintf("internal error: %v", r), string(debug.Stack()))
		}
	}()
	return f()
}

func (a *API) engine() (*engine.Engine, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.eng == nil {
		e, err := engine.New(rules.Builtin())
		if err != nil {
			return nil, err
		}
		a.eng = e
	}
	return a.eng, nil
}

// LoadBundle validates a bundle and its examples and makes it active. A
// bundle that fails leaves the previous one in force.
func (a *API) LoadBundle(data string) string {
	b, err := rules.Parse([]byte(data))
	if err != nil {
		var ve rules.ValidationErrors
		if errors.As(err, &ve) {
			// The first error goes into the message too: the popup and the
			// console show the message, and one located error tells an admin
			// where to look («models.meaning: …»).
			return errJSON(EBundle, fmt.Sprintf("the bundle has %d error(s), the first: %s", len(ve), ve[0].Error()), ve)
		}
		return errJSON(EInvalid, "the bundle is not valid JSON: "+err.Error(), nil)
	}
	e, err := engine.New(b)
	if err != nil {
		return errJSON(EBundle, err.Error(), nil)
	}
	if fails := e.RunExamples(); len(fails) > 0 {
		return errJSON(EBundle, fmt.Sprintf("%d of the bundle's examples fail", len(fails)), fails)
	}
	a.mu.Lock()
	a.eng = e
	a.mu.Unlock()
	return okJSON(map[string]any{"version": b.Version, "rules": len(b.Rules)})
}

// Options are the check options JavaScript passes.
type Options struct {
	Lang   string         `json:"lang"`
	Now    string         `json:"now"` // RFC 3339; the host's clock
	Crisis *engine.Crisis `json:"crisis"`
}

// Check checks a draft with the active bundle.
func (a *API) Check(draftJSON, optsJSON string) string {
	if len(draftJSON) > MaxDraftBytes {
		return errJSON(EInvalid, fmt.Sprintf("the draft is larger than %d bytes", MaxDraftBytes), nil)
	}
	var d draft.Draft
	if err := json.Unmarshal([]byte(draftJSON), &d); err != nil {
		return errJSON(EInvalid, "the draft is not valid JSON: "+err.Error(), nil)
	}
	var o Options
	if optsJSON != "" {
		if err := json.Unmarshal([]byte(optsJSON), &o); err != nil {
			return errJSON(EInvalid, "the options are not valid JSON: "+err.Error(), nil)
		}
	}
	e, err := a.engine()
	if err != nil {
		return errJSON(EBundle, err.Error(), nil)
	}
	opt := engine.Options{Lang: o.Lang, Crisis: o.Crisis}
	if t, ok := rules.ParseTime(o.Now); ok {
		opt.Now = t
	}
	return okJSON(e.Check(d, opt))
}

// Builtin returns the built-in bundle.
func (a *API) Builtin() string { return string(rules.BuiltinJSON()) }

// TextHash returns the SHA-256 of the normalised text, as audit entries carry it.
func (a *API) TextHash(text string) string {
	return okJSON(map[string]string{"sha256": audit.TextHash(text)})
}

// LoadCascade unpacks the face-detection cascade.
func (a *API) LoadCascade(data []byte) string {
	d, err := faces.New(data)
	if err != nil {
		return errJSON(EInvalid, err.Error(), nil)
	}
	a.mu.Lock()
	a.face = d
	a.mu.Unlock()
	return okJSON(map[string]bool{"ok": true})
}

// DetectFaces finds faces in an RGBA image.
func (a *API) DetectFaces(rgba []byte, w, h int) string {
	a.mu.Lock()
	d := a.face
	a.mu.Unlock()
	if d == nil {
		return errJSON(ENoFaces, "the face cascade is not loaded", nil)
	}
	fs, err := d.Detect(rgba, w, h)
	if err != nil {
		return errJSON(EInvalid, err.Error(), nil)
	}
	if fs == nil {
		fs = []faces.Face{}
	}
	return okJSON(map[string]any{"faces": fs})
}

// Usage answers a call with wrong arguments.
func Usage(format string, args ...any) string {
	return errJSON(EInvalid, fmt.Sprintf(format, args...), nil)
}
