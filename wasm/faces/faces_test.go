package faces

import (
	"bytes"
	"image"
	"image/draw"
	_ "image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pigoDir finds the pigo module in the module cache (where the build also
// copies the cascade from).
func pigoDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/esimov/pigo").Output()
	if err != nil {
		t.Skipf("cannot locate the pigo module: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func detector(t *testing.T) (*Detector, string) {
	dir := pigoDir(t)
	cascade, err := os.ReadFile(filepath.Join(dir, "cascade", "facefinder"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(cascade)
	if err != nil {
		t.Fatal(err)
	}
	return d, dir
}

func rgbaOf(t *testing.T, path string) (*image.RGBA, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	// Scale down by whole factors until it fits MaxPixels.
	f := 1
	for (b.Dx()/f)*(b.Dy()/f) > MaxPixels {
		f++
	}
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()/f, b.Dy()/f))
	if f == 1 {
		draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
		return out, nil
	}
	for y := 0; y < out.Bounds().Dy(); y++ {
		for x := 0; x < out.Bounds().Dx(); x++ {
			out.Set(x, y, img.At(b.Min.X+x*f, b.Min.Y+y*f))
		}
	}
	return out, nil
}

func TestDetectFindsFacesInPhoto(t *testing.T) {
	d, dir := detector(t)
	img, err := rgbaOf(t, filepath.Join(dir, "testdata", "sample.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	faces, err := d.Detect(img.Pix, img.Bounds().Dx(), img.Bounds().Dy())
	if err != nil {
		t.Fatal(err)
	}
	if len(faces) == 0 {
		t.Fatalf("no faces found in pigo's sample photo, want at least one")
	}
}

func TestDetectNoFacesInBlankImage(t *testing.T) {
	d, _ := detector(t)
	w, h := 320, 240
	pix := bytes.Repeat([]byte{200, 210, 220, 255}, w*h)
	faces, err := d.Detect(pix, w, h)
	if err != nil || len(faces) != 0 {
		t.Fatalf("blank image: faces %v, err %v; want none", faces, err)
	}
}

func TestDetectRefusesBadInput(t *testing.T) {
	d, _ := detector(t)
	for _, tt := range []struct {
		name string
		pix  []byte
		w, h int
		want string
	}{
		{"zero size", nil, 0, 10, "not positive"},
		{"short buffer", make([]byte, 10), 10, 10, "got 10 bytes"},
		{"too large", nil, 5000, 5000, "scale it down"},
	} {
		if _, err := d.Detect(tt.pix, tt.w, tt.h); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := New([]byte("short")); err == nil {
		t.Error("New(short cascade): no error")
	}
	if _, err := New(bytes.Repeat([]byte{0xff}, 64)); err == nil {
		t.Error("New(garbage cascade): no error")
	}
}
