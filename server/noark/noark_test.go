package noark_test

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/server/noark"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func item(id, title, cas string, comments ...server.JournalComment) *server.JournalItem {
	return &server.JournalItem{ID: id, Platform: "facebook", URL: "https://www.facebook.com/eksempel/posts/1",
		PublishedAt: t0, Title: title, Case: cas, Deadline: "2026-12-15",
		Text:      "Reguleringsplanen for Storgata er på høring.\n\nSend innspill innen 15. desember!",
		CreatedBy: "kari", Unit: "kommunikasjon", CreatedAt: t0.Add(time.Hour), Status: server.JournalWaiting,
		Comments: comments}
}

var comments = []server.JournalComment{
	{Author: "Ola Nordmann", At: "2026-11-22T11:00:00Z", Text: "Jeg mener gata trenger flere trær. <script>", CapturedAt: t0.Add(2 * time.Hour)},
	{Author: "Per Olsen", Text: "Enig med Ola Nordmann & co.", CapturedAt: t0.Add(2 * time.Hour)},
}

// validate runs xmllint --schema on xml; the test is skipped without
// xmllint, which Debian's libxml2-utils provides.
func validate(t *testing.T, xml []byte) {
	t.Helper()
	lint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint is not installed (apt-get install libxml2-utils); the arkivmelding cannot be validated against the Noark 5 schema")
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "arkivmelding.xml")
	if err := os.WriteFile(f, xml, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(lint, "--noout", "--nonet", "--schema", filepath.Join("testdata", "arkivmelding.xsd"), f).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint: %v\n%s\n%s", err, out, xml)
	}
}

// TestSchema writes zips for a range of items, extracts arkivmelding.xml
// from each and validates it against the Noark 5 arkivmelding schema.
func TestSchema(t *testing.T) {
	tests := []struct {
		name  string
		items []*server.JournalItem
		mask  bool
	}{
		{"new case, two comments", []*server.JournalItem{item("6f1c2a54-0000-4000-8000-000000000001", "Høring: reguleringsplan for Storgata", "", comments...)}, false},
		{"given case, masked public copy", []*server.JournalItem{item("6f1c2a54-0000-4000-8000-000000000002", "Innspill fra Kari Hansen", "2026/123", comments...)}, true},
		{"no comments, no deadline", []*server.JournalItem{func() *server.JournalItem {
			it := item("6f1c2a54-0000-4000-8000-000000000003", "Folkemøte", "")
			it.Deadline = ""
			return it
		}()}, false},
		{"several items", []*server.JournalItem{item("6f1c2a54-0000-4000-8000-000000000004", "A", "2025/7", comments[0]), item("6f1c2a54-0000-4000-8000-000000000005", "B & <c>", "")}, true},
		{"control characters and emoji", []*server.JournalItem{item("6f1c2a54-0000-4000-8000-000000000006", "Tittel \x01 med 🙂", "",
			server.JournalComment{Author: "Åse \x0b Ødegård", Text: "]]> «sitat» \uFFFE", CapturedAt: t0})}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex, err := noark.Build(tt.items, noark.Options{Org: "Eksempel kommune", MaskComments: tt.mask, Now: t0.Add(3 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := ex.WriteZip(&buf); err != nil {
				t.Fatal(err)
			}
			zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatal(err)
			}
			files := map[string][]byte{}
			for _, f := range zr.File {
				rc, _ := f.Open()
				files[f.Name], _ = io.ReadAll(rc)
				rc.Close()
			}
			xml := files["arkivmelding.xml"]
			if xml == nil {
				t.Fatalf("the zip has no arkivmelding.xml: %v", zr.File)
			}
			validate(t, xml)
			// Every referenced file is in the zip.
			for _, part := range strings.Split(string(xml), "<referanseDokumentfil>")[1:] {
				name, _, _ := strings.Cut(part, "<")
				if files[name] == nil {
					t.Errorf("arkivmelding.xml references %s, which the zip lacks", name)
				}
			}
			want := len(tt.items)
			if tt.mask {
				want *= 2
			}
			if len(files) != want+1 {
				t.Errorf("got %d files, want %d", len(files), want+1)
			}
		})
	}
}

func TestOffentligTittelMasksNames(t *testing.T) {
	ex, err := noark.Build([]*server.JournalItem{item("6f1c2a54-0000-4000-8000-000000000007", "Innspill fra Kari Hansen og Per Olsen", "", comments...)},
		noark.Options{Org: "Eksempel kommune", Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	x := string(ex.XML)
	if want := "<offentligTittel>Innspill fra K*** H***** og P** O****</offentligTittel>"; !strings.Contains(x, want) {
		t.Errorf("got %s, want it to contain %s", x, want)
	}
	if !strings.Contains(x, "<tittel>Innspill fra Kari Hansen og Per Olsen</tittel>") {
		t.Errorf("the tittel should keep the names: %s", x)
	}
}

func TestMaskNames(t *testing.T) {
	tests := []struct {
		in    string
		known []string
		want  string
	}{
		{"Høring om Storgata", nil, "Høring om Storgata"},
		{"Svar til Ola Nordmann", nil, "Svar til O** N*******"},
		{"Takk, Berg!", []string{"Siv Berg"}, "Takk, B***!"},
		{"Åse-Marie Ødegård skreiv", []string{"Åse-Marie Ødegård"}, "Å******** Ø****** skreiv"},
		{"KARI er ikke et navn her", nil, "K*** er ikke et navn her"},
	}
	for _, tt := range tests {
		if got := noark.MaskNames(tt.in, tt.known); got != tt.want {
			t.Errorf("MaskNames(%q, %q): got %q, want %q", tt.in, tt.known, got, tt.want)
		}
	}
}

func TestPublicCopyMasksCommenters(t *testing.T) {
	ex, err := noark.Build([]*server.JournalItem{item("6f1c2a54-0000-4000-8000-000000000008", "Høring", "", comments...)},
		noark.Options{Org: "Eksempel kommune", MaskComments: true, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	full, public := string(ex.Files[0].Data), string(ex.Files[1].Data)
	if !strings.Contains(full, "Ola Nordmann") || strings.Contains(public, "Nordmann") || !strings.Contains(public, "O** N*******") {
		t.Errorf("full copy:\n%s\npublic copy:\n%s", full, public)
	}
	if strings.Contains(full, "<script>") {
		t.Errorf("the document does not escape comment text:\n%s", full)
	}
}
