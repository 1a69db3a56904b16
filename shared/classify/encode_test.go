package classify

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	samples := loadSamples(t)
	m, _, err := Calibrate(samples, 5, TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rows, %d classes: %d bytes, %d as base64", m.Rows(), len(m.Classes()), len(data), base64.StdEncoding.EncodedLen(len(data)))
	bin, err := Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(enc)
	if err != nil {
		t.Fatal(err)
	}
	var back Encoded
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	fromJSON, err := Decode(back)
	if err != nil {
		t.Fatal(err)
	}

	texts := []string{""}
	for _, x := range samples {
		texts = append(texts, x.Text)
	}
	for _, h := range heldOut {
		texts = append(texts, fold(h.text))
	}
	for _, tt := range []struct {
		name string
		m    *Model
	}{{"binary", bin}, {"json", fromJSON}} {
		t.Run(tt.name, func(t *testing.T) {
			again, _ := tt.m.MarshalBinary()
			if !bytes.Equal(again, data) {
				t.Errorf("marshalling the decoded model gave different bytes")
			}
			var s1, s2 Scratch
			for _, text := range texts {
				want := append([]float32(nil), m.Scores(text, &s1)...)
				got := tt.m.Scores(text, &s2)
				for k := range want {
					if math.Float32bits(got[k]) != math.Float32bits(want[k]) {
						t.Errorf("%q: got scores %v, want %v", text, got, want)
						break
					}
				}
				wc, wp := m.Predict(text, &s1)
				if gc, gp := tt.m.Predict(text, &s2); gc != wc || gp != wp {
					t.Errorf("%q: got %s %v, want %s %v", text, gc, gp, wc, wp)
				}
			}
		})
	}
}

// raw builds binary models field by field, so that each test can break
// exactly one thing.
type raw struct {
	magic   string
	version byte
	dim     uint64
	nc      uint64 // number of classes; len(classes) when 0
	classes []rawClass
	rows    uint64 // len(gaps) when 0
	gaps    []uint64
	q       []int8 // len(gaps)*classes zeros when nil
	tail    []byte
}

type rawClass struct {
	name                   string
	bias, scale, threshold float32
}

func validRaw() raw {
	return raw{
		magic:   magic,
		version: version,
		dim:     1 << 16,
		classes: []rawClass{{None, 0.1, 0.01, 0}, {"pii.sensitive", -0.2, 0.02, 0.6}},
		gaps:    []uint64{3, 100, 7},
		q:       []int8{1, -1, 127, -127, 0, 5},
	}
}

func (r raw) bytes() []byte {
	b := append([]byte(r.magic), r.version)
	b = binary.AppendUvarint(b, r.dim)
	nc := r.nc
	if nc == 0 {
		nc = uint64(len(r.classes))
	}
	b = binary.AppendUvarint(b, nc)
	for _, c := range r.classes {
		b = binary.AppendUvarint(b, uint64(len(c.name)))
		b = append(b, c.name...)
		for _, f := range []float32{c.bias, c.scale, c.threshold} {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
		}
	}
	rows := r.rows
	if rows == 0 {
		rows = uint64(len(r.gaps))
	}
	b = binary.AppendUvarint(b, rows)
	for _, g := range r.gaps {
		b = binary.AppendUvarint(b, g)
	}
	q := r.q
	if q == nil {
		q = make([]int8, len(r.gaps)*len(r.classes))
	}
	for _, v := range q {
		b = append(b, byte(v))
	}
	return append(b, r.tail...)
}

func TestUnmarshalValid(t *testing.T) {
	m, err := Unmarshal(validRaw().bytes())
	if err != nil {
		t.Fatal(err)
	}
	if m.Rows() != 3 || m.Dim() != 1<<16 || m.Thresholds()["pii.sensitive"] != float64(float32(0.6)) {
		t.Errorf("got %d rows, dim %d, thresholds %v", m.Rows(), m.Dim(), m.Thresholds())
	}
	for n, want := range []uint32{3, 103, 110} {
		if got := m.row(want); got != n {
			t.Errorf("row of index %d: got %d, want %d", want, got, n)
		}
	}
	if got := m.row(4); got != -1 {
		t.Errorf("row of index 4: got %d, want -1", got)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	edit := func(f func(*raw)) []byte {
		r := validRaw()
		f(&r)
		return r.bytes()
	}
	valid := validRaw().bytes()
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		// header
		{"empty", nil, "truncated at byte 0, reading the header"},
		{"short magic", []byte("PVL"), "truncated"},
		{"wrong magic", edit(func(r *raw) { r.magic = "GIF8" }), `not a Postvakt classifier (starts with "GIF8"`},
		{"wrong version", edit(func(r *raw) { r.version = 2 }), "version 2 is not 1"},
		{"too large", make([]byte, MaxModelBytes+1), "2097153 bytes are more than the limit of 2097152"},
		// dimension
		{"dim not a power of two", edit(func(r *raw) { r.dim = 65535 }), "dimension 65535 is not a power of two from 1024 to 16777216"},
		{"dim too small", edit(func(r *raw) { r.dim = 512 }), "dimension 512"},
		{"dim too large", edit(func(r *raw) { r.dim = 1 << 25 }), "dimension 33554432"},
		{"dim overflows", append([]byte("PVLC\x01"), bytes.Repeat([]byte{0xff}, 11)...), "the dimension at byte 5 does not fit in 64 bits"},
		// classes
		{"one class", edit(func(r *raw) { r.classes = r.classes[:1] }), "1 classes is not from 2 to 16"},
		{"huge class count", edit(func(r *raw) { r.nc = 1 << 40 }), "1099511627776 classes"},
		{"huge name length", append(edit(func(r *raw) { r.classes = nil; r.nc = 2; r.gaps = nil })[:9], 0xff, 0xff, 0xff, 0xff, 0x0f), "class 0's name of 4294967295 bytes is longer than 64"},
		{"empty name", edit(func(r *raw) { r.classes[1].name = "" }), "class 1: class name is empty"},
		{"invalid name", edit(func(r *raw) { r.classes[1].name = "a\xff" }), "is not UTF-8"},
		{"duplicate classes", edit(func(r *raw) { r.classes[1].name = None }), `class "none" appears twice`},
		{"no none", edit(func(r *raw) { r.classes[0] = rawClass{"other", 0, 0.01, 0.5} }), `no class is named "none"`},
		{"NaN bias", edit(func(r *raw) { r.classes[0].bias = float32(math.NaN()) }), `the bias of class "none" is NaN`},
		{"infinite scale", edit(func(r *raw) { r.classes[1].scale = float32(math.Inf(1)) }), `the scale of class "pii.sensitive" is +Inf`},
		{"negative scale", edit(func(r *raw) { r.classes[1].scale = -1 }), `the scale of class "pii.sensitive", -1, is not from 0 to 1e+06`},
		{"huge scale", edit(func(r *raw) { r.classes[1].scale = 2.3e38 }), `the scale of class "pii.sensitive", 2.3e+38, is not from 0 to 1e+06`},
		{"huge bias", edit(func(r *raw) { r.classes[0].bias = -1e7 }), `the bias of class "none", -1e+07, is not within ±1e+06`},
		{"zero threshold", edit(func(r *raw) { r.classes[1].threshold = 0 }), `the threshold of class "pii.sensitive", 0, is not in (0, 1]`},
		{"threshold above 1", edit(func(r *raw) { r.classes[1].threshold = 1.5 }), "1.5, is not in (0, 1]"},
		{"none threshold below 0", edit(func(r *raw) { r.classes[0].threshold = -0.5 }), "is not in [0, 1]"},
		{"truncated in a class", valid[:20], "truncated at byte 20, reading"},
		// rows
		{"more rows than dim", edit(func(r *raw) { r.dim = 1024; r.rows = 1025 }), "1025 rows are more than the dimension 1024"},
		{"rows past the end", edit(func(r *raw) { r.rows = 1000 }), "1000 rows need at least 3000 bytes, but 9 are left"},
		{"huge rows", edit(func(r *raw) { r.rows = 1 << 62 }), "4611686018427387904 rows are more than the dimension 65536"},
		{"index not below dim", edit(func(r *raw) { r.gaps = []uint64{3, 60000, 9997} }), "index 70000 is not below the dimension 65536"},
		{"index equal to dim", edit(func(r *raw) { r.gaps = []uint64{65536, 1, 1} }), "the gap 65536 before row 0 is not below the dimension 65536"},
		{"huge gap", edit(func(r *raw) { r.gaps = []uint64{3, 1 << 63, 1} }), "the gap 9223372036854775808 before row 1"},
		{"repeated index", edit(func(r *raw) { r.gaps = []uint64{3, 0, 7} }), "the index of row 1 repeats the one before (3)"},
		{"weights cut", valid[:len(valid)-1], "3 rows need at least 9 bytes, but 8 are left"},
		{"trailing bytes", edit(func(r *raw) { r.tail = []byte{0, 0} }), "2 bytes after the last row"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Unmarshal(tt.data)
			if err == nil || !strings.HasPrefix(err.Error(), "model weights: ") || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got %v, %v; want an error «model weights: …%s…»", m, err, tt.wantErr)
			}
		})
	}
}

// TestUnmarshalEveryPrefix cuts a trained model at every length: none of
// them may decode.
func TestUnmarshalEveryPrefix(t *testing.T) {
	data, err := mustTrain(t, TrainOptions{MaxRows: 200}).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(data) {
		if _, err := Unmarshal(data[:n]); err == nil {
			t.Fatalf("the first %d of %d bytes decoded without error", n, len(data))
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	m := mustTrain(t, TrainOptions{MaxRows: 50})
	edit := func(f func(*Encoded)) Encoded {
		e, err := m.Encode()
		if err != nil {
			t.Fatal(err)
		}
		f(&e)
		return e
	}
	tests := []struct {
		name    string
		enc     Encoded
		wantErr string
	}{
		{"format", edit(func(e *Encoded) { e.Format = "fasttext" }), `model format: "fasttext" is not "postvakt.classify/1"`},
		{"no format", edit(func(e *Encoded) { e.Format = "" }), "model format"},
		{"not base64", edit(func(e *Encoded) { e.Weights = "@@@@" }), "model weights: not base64"},
		{"too long", edit(func(e *Encoded) { e.Weights = strings.Repeat("A", 2796205) }), "model weights: 2796205 base64 characters are more than the limit of 2796204"},
		{"bad weights", edit(func(e *Encoded) { e.Weights = base64.StdEncoding.EncodeToString([]byte("PVLC\x07")) }), "model weights: version 7"},
		{"classes out of order", edit(func(e *Encoded) { e.Classes[1], e.Classes[2] = e.Classes[2], e.Classes[1] }), "model classes: "},
		{"classes missing", edit(func(e *Encoded) { e.Classes = nil }), "model classes: [] are not the weights' classes"},
		{"dim", edit(func(e *Encoded) { e.Dim = 1024 }), "model dim: 1024 is not the weights' dimension 1048576"},
		{"threshold for unknown class", edit(func(e *Encoded) { e.Thresholds["x"] = 0.5 }), `model thresholds: "x" is not one of the classes`},
		{"threshold for none", edit(func(e *Encoded) { e.Thresholds[None] = 0.5 }), `model thresholds: "none" is never flagged`},
		{"threshold 0", edit(func(e *Encoded) { e.Thresholds["pii.sensitive"] = 0 }), "model thresholds: pii.sensitive: 0 is not in (0, 1]"},
		{"threshold NaN", edit(func(e *Encoded) { e.Thresholds["pii.sensitive"] = math.NaN() }), "NaN is not in (0, 1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.enc)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got %v, %v; want an error containing %q", got, err, tt.wantErr)
			}
		})
	}
}

func TestDecodeThresholds(t *testing.T) {
	m := mustTrain(t, TrainOptions{MaxRows: 50})
	e, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		th   map[string]float64
		want map[string]float64
	}{
		{"as encoded", e.Thresholds, map[string]float64{"pii.sensitive": 0.5, "politics.opinion": 0.5}},
		{"absent keeps the weights'", nil, map[string]float64{"pii.sensitive": 0.5, "politics.opinion": 0.5}},
		{"one overridden", map[string]float64{"pii.sensitive": 0.75}, map[string]float64{"pii.sensitive": 0.75, "politics.opinion": 0.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.Thresholds = tt.th
			got, err := Decode(e)
			if err != nil {
				t.Fatal(err)
			}
			for c, want := range tt.want {
				if got.Thresholds()[c] != want {
					t.Errorf("%s: got %v, want %v", c, got.Thresholds()[c], want)
				}
			}
		})
	}
}

// fuzzModel is a small trained model for the fuzz seeds.
func fuzzModel(f *testing.F) *Model {
	m, err := Train(loadSamples(f), TrainOptions{MaxRows: 40, Dim: 1 << 12})
	if err != nil {
		f.Fatal(err)
	}
	return m
}

// FuzzUnmarshal checks that Unmarshal never panics, that whatever it
// accepts scores sentences with probabilities, and that marshalling it
// again gives bytes that decode to the same bytes (the input itself may
// spell a varint with extra bytes).
func FuzzUnmarshal(f *testing.F) {
	data, _ := fuzzModel(f).MarshalBinary()
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add(validRaw().bytes())
	f.Add([]byte("PVLC\x01"))
	var s Scratch
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Unmarshal(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "model weights: ") {
				t.Fatalf("error without the «model weights: » prefix: %v", err)
			}
			return
		}
		for _, text := range []string{"", "regjeringa burde gå av 👎", "kari er sjukmeld"} {
			sum := float32(0)
			for _, p := range m.Scores(text, &s) {
				if !(p >= 0 && p <= 1) {
					t.Fatalf("score %v outside [0, 1] for %q", p, text)
				}
				sum += p
			}
			if math.Abs(float64(sum)-1) > 1e-3 {
				t.Fatalf("scores sum to %v for %q", sum, text)
			}
			m.Predict(text, &s)
		}
		once, err := m.MarshalBinary()
		if err != nil {
			t.Fatalf("marshalling an accepted model: %v", err)
		}
		m2, err := Unmarshal(once)
		if err != nil {
			t.Fatalf("re-decoding: %v", err)
		}
		if twice, _ := m2.MarshalBinary(); !bytes.Equal(once, twice) {
			t.Fatalf("marshalling is not stable")
		}
	})
}

// FuzzDecode feeds JSON to Decode, the path a rule bundle takes.
func FuzzDecode(f *testing.F) {
	e, _ := fuzzModel(f).Encode()
	js, _ := json.Marshal(e)
	f.Add(js)
	f.Add([]byte(`{"format":"postvakt.classify/1","classes":["none","x"],"dim":1024,"thresholds":{"x":2},"weights":"UFZMQwE="}`))
	f.Fuzz(func(t *testing.T, js []byte) {
		var e Encoded
		if json.Unmarshal(js, &e) != nil {
			return
		}
		m, err := Decode(e)
		if err != nil {
			return
		}
		for c, th := range m.Thresholds() {
			if !(th > 0 && th <= 1) {
				t.Fatalf("accepted threshold %v for %s", th, c)
			}
		}
		m.Predict("stem på oss 🎉", nil)
	})
}
