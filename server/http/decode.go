package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/rules"
)

// decodeStrict decodes one JSON value from r into v, refusing unknown
// fields and trailing data. A body over the limit is ETOOLARGE, anything
// unparseable EMALFORMED with the decoder's reason.
func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err != nil {
			return decodeError(err)
		}
		return server.Errorf(server.EMALFORMED, "Unexpected data after the JSON body.")
	}
	return nil
}

func decodeError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return server.Errorf(server.ETOOLARGE, "The body is over the limit of %d bytes.", mbe.Limit)
	}
	if errors.Is(err, io.EOF) {
		return server.Errorf(server.EMALFORMED, "The body is empty; a JSON object is required.")
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return server.Errorf(server.EMALFORMED, "Malformed JSON at byte %d: %v.", se.Offset, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return server.Errorf(server.EMALFORMED, "Malformed JSON: %s.", rules.TypeErrorMessage(te))
	}
	return server.Errorf(server.EMALFORMED, "Malformed JSON: %v.", errorText(err))
}

func errorText(err error) string {
	s := err.Error()
	if len(s) > 200 {
		s = s[:200]
	}
	return fmt.Sprint(s)
}
