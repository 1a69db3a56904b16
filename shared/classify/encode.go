package classify

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// The binary form starts with magic and version; see MarshalBinary.
const (
	magic   = "PVLC"
	version = 1
)

// Format names the JSON form's layout; Decode refuses any other.
const Format = "postvakt.classify/1"

// Encoded is the JSON form of a model that a rule bundle carries. Classes
// and Dim repeat what Weights holds, so that the bundle can be read
// without decoding it; Decode checks that they agree. Thresholds, by
// class name, override the thresholds in Weights, so an administrator can
// tune them without retraining.
type Encoded struct {
	Format     string             `json:"format"`
	Classes    []string           `json:"classes"`
	Dim        int                `json:"dim"`
	Thresholds map[string]float64 `json:"thresholds"`
	Weights    string             `json:"weights"` // base64 (standard, padded) of MarshalBinary
}

// Encode returns the JSON form of m.
func (m *Model) Encode() (Encoded, error) {
	b, err := m.MarshalBinary()
	if err != nil {
		return Encoded{}, err
	}
	return Encoded{
		Format:     Format,
		Classes:    m.Classes(),
		Dim:        m.dim,
		Thresholds: m.Thresholds(),
		Weights:    base64.StdEncoding.EncodeToString(b),
	}, nil
}

// Decode checks and decodes the JSON form of a model.
func Decode(e Encoded) (*Model, error) {
	if e.Format != Format {
		return nil, fmt.Errorf("model format: %q is not %q", e.Format, Format)
	}
	if max := base64.StdEncoding.EncodedLen(MaxModelBytes); len(e.Weights) > max {
		return nil, fmt.Errorf("model weights: %d base64 characters are more than the limit of %d", len(e.Weights), max)
	}
	data, err := base64.StdEncoding.DecodeString(e.Weights)
	if err != nil {
		return nil, fmt.Errorf("model weights: not base64: %v", err)
	}
	m, err := Unmarshal(data)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(e.Classes, m.classes) {
		return nil, fmt.Errorf("model classes: %q are not the weights' classes %q", e.Classes, m.classes)
	}
	if e.Dim != m.dim {
		return nil, fmt.Errorf("model dim: %d is not the weights' dimension %d", e.Dim, m.dim)
	}
	if err := m.setThresholds(e.Thresholds); err != nil {
		return nil, err
	}
	return m, nil
}

// setThresholds replaces the thresholds of the named classes, checking
// them in name order so the first error is always the same one.
func (m *Model) setThresholds(th map[string]float64) error {
	names := make([]string, 0, len(th))
	for c := range th {
		names = append(names, c)
	}
	slices.Sort(names)
	for _, c := range names {
		v := th[c]
		k := slices.Index(m.classes, c)
		switch {
		case k < 0:
			return fmt.Errorf("model thresholds: %q is not one of the classes %q", c, m.classes)
		case k == m.none:
			return fmt.Errorf("model thresholds: %q is never flagged and takes no threshold", c)
		case !(float32(v) > 0 && v <= 1):
			return fmt.Errorf("model thresholds: %s: %v is not in (0, 1]", c, v)
		}
		m.threshold[k] = float32(v)
	}
	return nil
}

// MarshalBinary returns the compact binary form of m, little-endian:
//
//	magic     "PVLC" and the version byte 1
//	dim       uvarint, a power of two from MinDim to MaxDim
//	classes   uvarint K, from 2 to MaxClasses, then K records of
//	            name       uvarint length (1 to MaxClassName) and UTF-8
//	            bias       float32, within ±MaxParam
//	            scale      float32, from 0 to MaxParam
//	            threshold  float32, in (0, 1]; in [0, 1] for None
//	rows      uvarint n, at most dim
//	indices   n uvarints: the first feature index, then the gaps to the
//	          next (≥ 1, so indices strictly increase), all below dim
//	weights   n×K int8, row by row; weight = scale[class] * int8
//
// Unmarshal checks every length against what is left of its input before
// it allocates anything for it.
func (m *Model) MarshalBinary() ([]byte, error) {
	b := m.appendBinary(nil)
	if len(b) > MaxModelBytes {
		return nil, fmt.Errorf("model weights: %d bytes are more than the limit of %d", len(b), MaxModelBytes)
	}
	return b, nil
}

func (m *Model) binarySize() int { return len(m.appendBinary(nil)) }

func (m *Model) appendBinary(b []byte) []byte {
	b = append(b, magic...)
	b = append(b, version)
	b = binary.AppendUvarint(b, uint64(m.dim))
	b = binary.AppendUvarint(b, uint64(len(m.classes)))
	for k, c := range m.classes {
		b = binary.AppendUvarint(b, uint64(len(c)))
		b = append(b, c...)
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(m.bias[k]))
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(m.scale[k]))
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(m.threshold[k]))
	}
	b = binary.AppendUvarint(b, uint64(len(m.idx)))
	prev := uint32(0)
	for _, i := range m.idx {
		b = binary.AppendUvarint(b, uint64(i-prev))
		prev = i
	}
	for _, q := range m.q {
		b = append(b, byte(q))
	}
	return b
}

// Unmarshal checks and decodes the binary form of a model (see
// MarshalBinary). It never panics, and allocates at most about ten times
// len(data), most of it for the look-up table.
func Unmarshal(data []byte) (*Model, error) {
	if len(data) > MaxModelBytes {
		return nil, fmt.Errorf("model weights: %d bytes are more than the limit of %d", len(data), MaxModelBytes)
	}
	r := reader{b: data}
	head, err := r.take(len(magic)+1, "the header")
	if err != nil {
		return nil, err
	}
	if string(head[:len(magic)]) != magic {
		return nil, fmt.Errorf("model weights: not a Postvakt classifier (starts with %q, not %q)", head[:len(magic)], magic)
	}
	if head[len(magic)] != version {
		return nil, fmt.Errorf("model weights: version %d is not %d", head[len(magic)], version)
	}

	dim, err := r.uvarint("the dimension")
	if err != nil {
		return nil, err
	}
	if dim < MinDim || dim > MaxDim || dim&(dim-1) != 0 {
		return nil, fmt.Errorf("model weights: dimension %d is not a power of two from %d to %d", dim, MinDim, MaxDim)
	}
	nc, err := r.uvarint("the number of classes")
	if err != nil {
		return nil, err
	}
	if nc < 2 || nc > MaxClasses {
		return nil, fmt.Errorf("model weights: %d classes is not from 2 to %d", nc, MaxClasses)
	}
	K := int(nc)
	m := &Model{
		dim:       int(dim),
		classes:   make([]string, K),
		bias:      make([]float32, K),
		scale:     make([]float32, K),
		threshold: make([]float32, K),
		none:      -1,
	}
	for k := range K {
		n, err := r.uvarint(fmt.Sprintf("the length of class %d's name", k))
		if err != nil {
			return nil, err
		}
		if n > MaxClassName {
			return nil, fmt.Errorf("model weights: class %d's name of %d bytes is longer than %d", k, n, MaxClassName)
		}
		name, err := r.take(int(n), fmt.Sprintf("class %d's name", k))
		if err != nil {
			return nil, err
		}
		c := string(name)
		if err := checkClassName(c); err != nil {
			return nil, fmt.Errorf("model weights: class %d: %w", k, err)
		}
		if slices.Contains(m.classes[:k], c) {
			return nil, fmt.Errorf("model weights: class %q appears twice", c)
		}
		m.classes[k] = c
		if c == None {
			m.none = k
		}
		var f [3]float32
		for j, what := range []string{"bias", "scale", "threshold"} {
			if f[j], err = r.float32(fmt.Sprintf("the %s of class %q", what, c)); err != nil {
				return nil, err
			}
			if math.IsNaN(float64(f[j])) || math.IsInf(float64(f[j]), 0) {
				return nil, fmt.Errorf("model weights: the %s of class %q is %v", what, c, f[j])
			}
		}
		m.bias[k], m.scale[k], m.threshold[k] = f[0], f[1], f[2]
		switch th := f[2]; {
		case f[0] < -MaxParam || f[0] > MaxParam:
			return nil, fmt.Errorf("model weights: the bias of class %q, %v, is not within ±%g", c, f[0], MaxParam)
		case f[1] < 0 || f[1] > MaxParam:
			return nil, fmt.Errorf("model weights: the scale of class %q, %v, is not from 0 to %g", c, f[1], MaxParam)
		case c == None && !(th >= 0 && th <= 1):
			return nil, fmt.Errorf("model weights: the threshold of class %q, %v, is not in [0, 1]", c, th)
		case c != None && !(th > 0 && th <= 1):
			return nil, fmt.Errorf("model weights: the threshold of class %q, %v, is not in (0, 1]", c, th)
		}
	}
	if m.none < 0 {
		return nil, fmt.Errorf("model weights: no class is named %q", None)
	}

	rows, err := r.uvarint("the number of rows")
	if err != nil {
		return nil, err
	}
	if rows > dim {
		return nil, fmt.Errorf("model weights: %d rows are more than the dimension %d", rows, dim)
	}
	// rows ≤ MaxDim, so this cannot overflow. Each row takes at least one
	// byte of index and K of weights.
	if need := int(rows) * (K + 1); need > r.left() {
		return nil, fmt.Errorf("model weights: %d rows need at least %d bytes, but %d are left", rows, need, r.left())
	}
	m.idx = make([]uint32, rows)
	prev := uint64(0)
	for n := range m.idx {
		d, err := r.uvarint("the index of a row")
		if err != nil {
			return nil, err
		}
		switch {
		case n > 0 && d == 0:
			return nil, fmt.Errorf("model weights: the index of row %d repeats the one before (%d)", n, prev)
		case d >= dim:
			return nil, fmt.Errorf("model weights: the gap %d before row %d is not below the dimension %d", d, n, dim)
		case prev+d >= dim:
			return nil, fmt.Errorf("model weights: index %d is not below the dimension %d", prev+d, dim)
		}
		prev += d
		m.idx[n] = uint32(prev)
	}
	q, err := r.take(int(rows)*K, "the weights")
	if err != nil {
		return nil, err
	}
	m.q = make([]int8, len(q))
	for n, v := range q {
		m.q[n] = int8(v)
	}
	if r.left() != 0 {
		return nil, fmt.Errorf("model weights: %d bytes after the last row", r.left())
	}
	m.index()
	return m, nil
}

// reader reads the binary form, turning a short input into an error that
// says what was being read.
type reader struct {
	b   []byte
	off int
}

var errTruncated = errors.New("truncated")

func (r *reader) left() int { return len(r.b) - r.off }

func (r *reader) take(n int, what string) ([]byte, error) {
	if n < 0 || n > r.left() {
		return nil, fmt.Errorf("model weights: %w at byte %d, reading %s", errTruncated, len(r.b), what)
	}
	b := r.b[r.off : r.off+n]
	r.off += n
	return b, nil
}

func (r *reader) uvarint(what string) (uint64, error) {
	v, n := binary.Uvarint(r.b[r.off:])
	switch {
	case n == 0:
		return 0, fmt.Errorf("model weights: %w at byte %d, reading %s", errTruncated, len(r.b), what)
	case n < 0:
		return 0, fmt.Errorf("model weights: %s at byte %d does not fit in 64 bits", what, r.off)
	}
	r.off += n
	return v, nil
}

func (r *reader) float32(what string) (float32, error) {
	b, err := r.take(4, what)
	if err != nil {
		return 0, err
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(b)), nil
}
