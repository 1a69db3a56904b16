// Package faces finds faces in a photo on the writer's own device, so the
// photo-consent dialog can pre-fill «identifiable persons» and warn when
// the writer answers «none» for a photo with faces. It wraps the pure-Go
// pigo detector (github.com/esimov/pigo/core); the image never leaves the
// browser.
//
// The cascade (pigo's «facefinder») is given as bytes: the extension ships
// the file copied from the pigo module at build time, and tests read it
// from the module cache.
package faces

import (
	"errors"
	"fmt"

	pigo "github.com/esimov/pigo/core"
)

// MaxPixels bounds the image handed to Detect; callers scale larger photos
// down first (faces of interest are still large enough at this size).
const MaxPixels = 1600 * 1600

// Face is one detection: the centre (X, Y) and Size in pixels of the image
// given, and the detector's score.
type Face struct {
	X     int     `json:"x"`
	Y     int     `json:"y"`
	Size  int     `json:"size"`
	Score float32 `json:"score"`
}

// Detector holds an unpacked cascade. It is safe for concurrent use.
type Detector struct {
	p *pigo.Pigo
	// MinScore is the detection score a face must reach; pigo's own
	// examples use 5.
	MinScore float32
}

// New unpacks a pigo cascade file.
func New(cascade []byte) (*Detector, error) {
	if len(cascade) < 16 {
		return nil, errors.New("faces: cascade is empty or truncated")
	}
	var p *pigo.Pigo
	var err error
	func() {
		// Unpack indexes into the packet without bounds checks of its own.
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("faces: cascade is malformed: %v", r)
			}
		}()
		p, err = pigo.NewPigo().Unpack(cascade)
	}()
	if err != nil {
		return nil, err
	}
	return &Detector{p: p, MinScore: 5}, nil
}

// Detect finds faces in an RGBA image of w×h pixels (4 bytes per pixel, as
// a canvas's getImageData gives it).
func (d *Detector) Detect(rgba []byte, w, h int) ([]Face, error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("faces: image size %d×%d is not positive", w, h)
	}
	if w*h > MaxPixels {
		return nil, fmt.Errorf("faces: image of %d×%d pixels is larger than %d pixels; scale it down first", w, h, MaxPixels)
	}
	if len(rgba) != 4*w*h {
		return nil, fmt.Errorf("faces: got %d bytes, want %d for %d×%d RGBA", len(rgba), 4*w*h, w, h)
	}
	gray := make([]uint8, w*h)
	for i := range gray {
		r, g, b := int(rgba[4*i]), int(rgba[4*i+1]), int(rgba[4*i+2])
		gray[i] = uint8((299*r + 587*g + 114*b) / 1000)
	}
	minSize := max(20, min(w, h)/20)
	params := pigo.CascadeParams{
		MinSize:     minSize,
		MaxSize:     min(w, h),
		ShiftFactor: 0.1,
		ScaleFactor: 1.1,
		ImageParams: pigo.ImageParams{Pixels: gray, Rows: h, Cols: w, Dim: w},
	}
	dets := d.p.RunCascade(params, 0)
	dets = d.p.ClusterDetections(dets, 0.2)
	var out []Face
	for _, det := range dets {
		if det.Q >= d.MinScore {
			out = append(out, Face{X: det.Col, Y: det.Row, Size: det.Scale, Score: det.Q})
		}
	}
	return out, nil
}
