// Package noark writes journal items (server.JournalItem) as a Noark 5
// «arkivmelding»: the message Norwegian archive systems accept through
// eFormidling and municipal integrations to journal a document into a
// case file (namespace Namespace; the schemas are in testdata/ and every
// message Build writes validates against them, which noark_test.go checks
// with xmllint).
//
// Each item becomes a saksmappe (a new case file, or the case named by
// its saksnummer) holding one journalpost (an outgoing document, dated
// the day of publication, due on the input deadline) with one
// dokumentbeskrivelse: the post and its comments as one HTML document, as
// the municipality procedure allows for discussion threads («kan
// journalføres som ett dokument»). The organisation is the
// korrespondansepart (sender), the public is the recipient. The
// offentligTittel has personal names masked. When the organisation masks
// citizens' personal data, a second variant of the document (variantformat
// «Dokument hvor deler av innholdet er skjermet») masks commenters' names
// for the public copy; the archive keeps the full production format.
//
// The document is HTML, not PDF/A: no maintained Go library writes PDF/A,
// and Noark 5 archives accept HTML as a production format that they
// convert to their archive format on reception.
package noark

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/engine"
)

// Namespace is the arkivmelding namespace.
const Namespace = "http://www.arkivverket.no/standarder/noark5/arkivmelding"

// Options are the message's settings.
type Options struct {
	// System names the sending system ("Postvakt").
	System string
	// Org is the organisation's name: the sender (korrespondansepart).
	Org string
	// MaskComments adds the public copy with commenters' names masked.
	MaskComments bool
	// Now is the time of the message; MessageID its id (a UUID; a new
	// one when empty).
	Now       time.Time
	MessageID string
}

// File is one document file of the message.
type File struct {
	Name string
	Data []byte
}

// Export is an arkivmelding and the files it references.
type Export struct {
	XML   []byte
	Files []File
}

// The elements below mirror the schema's (arkivmelding.xsd), in its
// order; only those Postvakt fills are declared.

type arkivmelding struct {
	XMLName     xml.Name    `xml:"http://www.arkivverket.no/standarder/noark5/arkivmelding arkivmelding"`
	XSI         string      `xml:"xmlns:xsi,attr"`
	System      string      `xml:"system"`
	MeldingID   string      `xml:"meldingId"`
	Tidspunkt   string      `xml:"tidspunkt"`
	AntallFiler int         `xml:"antallFiler"`
	Mappe       []saksmappe `xml:"mappe"`
}

type saksmappe struct {
	Type               string        `xml:"xsi:type,attr"`
	SystemID           string        `xml:"systemID"`
	MappeID            string        `xml:"mappeID,omitempty"`
	Tittel             string        `xml:"tittel"`
	OffentligTittel    string        `xml:"offentligTittel"`
	OpprettetDato      string        `xml:"opprettetDato"`
	OpprettetAv        string        `xml:"opprettetAv"`
	Registrering       []journalpost `xml:"basisregistrering"`
	Saksaar            int           `xml:"saksaar,omitempty"`
	Sakssekvensnummer  int           `xml:"sakssekvensnummer,omitempty"`
	Saksdato           string        `xml:"saksdato"`
	AdministrativEnhet string        `xml:"administrativEnhet"`
	Saksansvarlig      string        `xml:"saksansvarlig"`
	Saksstatus         string        `xml:"saksstatus"`
}

type journalpost struct {
	Type                   string                `xml:"xsi:type,attr"`
	SystemID               string                `xml:"systemID"`
	OpprettetDato          string                `xml:"opprettetDato"`
	OpprettetAv            string                `xml:"opprettetAv"`
	ReferanseForelderMappe string                `xml:"referanseForelderMappe"`
	Dokumentbeskrivelse    []dokumentbeskrivelse `xml:"dokumentbeskrivelse"`
	Tittel                 string                `xml:"tittel"`
	OffentligTittel        string                `xml:"offentligTittel"`
	Beskrivelse            string                `xml:"beskrivelse,omitempty"`
	Journalposttype        string                `xml:"journalposttype"`
	Journalstatus          string                `xml:"journalstatus"`
	Journaldato            string                `xml:"journaldato"`
	DokumentetsDato        string                `xml:"dokumentetsDato,omitempty"`
	SendtDato              string                `xml:"sendtDato,omitempty"`
	Forfallsdato           string                `xml:"forfallsdato,omitempty"`
	Korrespondansepart     []korrespondansepart  `xml:"korrespondansepart"`
}

type dokumentbeskrivelse struct {
	SystemID                  string           `xml:"systemID"`
	Dokumenttype              string           `xml:"dokumenttype"`
	Dokumentstatus            string           `xml:"dokumentstatus"`
	Tittel                    string           `xml:"tittel"`
	OpprettetDato             string           `xml:"opprettetDato"`
	OpprettetAv               string           `xml:"opprettetAv"`
	TilknyttetRegistreringSom string           `xml:"tilknyttetRegistreringSom"`
	Dokumentnummer            int              `xml:"dokumentnummer"`
	TilknyttetDato            string           `xml:"tilknyttetDato"`
	TilknyttetAv              string           `xml:"tilknyttetAv"`
	Dokumentobjekt            []dokumentobjekt `xml:"dokumentobjekt"`
}

type dokumentobjekt struct {
	Versjonsnummer       int    `xml:"versjonsnummer"`
	Variantformat        string `xml:"variantformat"`
	OpprettetDato        string `xml:"opprettetDato"`
	OpprettetAv          string `xml:"opprettetAv"`
	ReferanseDokumentfil string `xml:"referanseDokumentfil"`
}

type korrespondansepart struct {
	Korrespondanseparttype string `xml:"korrespondanseparttype"`
	KorrespondansepartNavn string `xml:"korrespondansepartNavn"`
	AdministrativEnhet     string `xml:"administrativEnhet,omitempty"`
	Saksbehandler          string `xml:"saksbehandler,omitempty"`
}

// caseNumber is a saksnummer: year/sequence («2026/123»).
var caseNumber = regexp.MustCompile(`^(\d{4})/(\d{1,9})$`)

// ValidCase reports whether s is a saksnummer this package understands.
func ValidCase(s string) bool { return caseNumber.MatchString(s) }

// systemID is a stable UUID for one part of an item, so that exporting
// an item twice names the same objects.
func systemID(item, part string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("postvakt:journal:"+item+":"+part)).String()
}

var platformNames = map[string]string{
	"facebook": "Facebook", "instagram": "Instagram", "linkedin": "LinkedIn", "x": "X",
	"youtube": "YouTube", "tiktok": "TikTok", "other": "sosiale medier",
}

// PlatformName is the platform's name as a page shows it.
func PlatformName(p string) string {
	if n, ok := platformNames[p]; ok {
		return n
	}
	return p
}

// Build writes the arkivmelding for items (with their comments) and the
// document files it references.
func Build(items []*server.JournalItem, opt Options) (*Export, error) {
	if len(items) == 0 {
		return nil, fmt.Errorf("noark: no items")
	}
	if opt.System == "" {
		opt.System = "Postvakt"
	}
	if opt.MessageID == "" {
		opt.MessageID = uuid.NewString()
	}
	now := opt.Now.UTC()
	ts := now.Format(time.RFC3339)
	msg := arkivmelding{XSI: "http://www.w3.org/2001/XMLSchema-instance", System: opt.System,
		MeldingID: opt.MessageID, Tidspunkt: ts}
	var files []File
	for _, it := range items {
		short := it.ID
		authors := make([]string, 0, len(it.Comments))
		for _, c := range it.Comments {
			authors = append(authors, c.Author)
		}
		full := "innlegg-" + short + ".html"
		data, err := document(it, false)
		if err != nil {
			return nil, err
		}
		files = append(files, File{Name: full, Data: data})
		created := it.CreatedAt.UTC().Format(time.RFC3339)
		objs := []dokumentobjekt{{Versjonsnummer: 1, Variantformat: "Produksjonsformat", OpprettetDato: created,
			OpprettetAv: it.CreatedBy, ReferanseDokumentfil: full}}
		if opt.MaskComments {
			public := "innlegg-" + short + "-skjermet.html"
			data, err := document(it, true)
			if err != nil {
				return nil, err
			}
			files = append(files, File{Name: public, Data: data})
			objs = append(objs, dokumentobjekt{Versjonsnummer: 1, Variantformat: "Dokument hvor deler av innholdet er skjermet",
				OpprettetDato: created, OpprettetAv: it.CreatedBy, ReferanseDokumentfil: public})
		}
		unit := it.Unit
		if unit == "" {
			unit = opt.Org
		}
		published := it.PublishedAt.In(oslo).Format(time.DateOnly)
		title := it.Title
		public := MaskNames(title, authors)
		mappeID := systemID(it.ID, "mappe")
		jp := journalpost{
			Type: "journalpost", SystemID: systemID(it.ID, "journalpost"), OpprettetDato: created, OpprettetAv: it.CreatedBy,
			ReferanseForelderMappe: mappeID,
			Dokumentbeskrivelse: []dokumentbeskrivelse{{
				SystemID: systemID(it.ID, "dokument"), Dokumenttype: "Innlegg i sosiale medier med kommentarer",
				Dokumentstatus: "Dokumentet er ferdigstilt", Tittel: title, OpprettetDato: created, OpprettetAv: it.CreatedBy,
				TilknyttetRegistreringSom: "Hoveddokument", Dokumentnummer: 1, TilknyttetDato: ts, TilknyttetAv: opt.System,
				Dokumentobjekt: objs,
			}},
			Tittel: title, OffentligTittel: public,
			Beskrivelse: fmt.Sprintf("Innlegg publisert på %s %s (%s) med %d kommentarer.",
				PlatformName(it.Platform), published, it.URL, len(it.Comments)),
			Journalposttype: "Utgående dokument", Journalstatus: "Ferdigstilt fra saksbehandler",
			Journaldato: now.In(oslo).Format(time.DateOnly), DokumentetsDato: published, SendtDato: it.PublishedAt.UTC().Format(time.RFC3339),
			Forfallsdato: it.Deadline,
			Korrespondansepart: []korrespondansepart{
				{Korrespondanseparttype: "Avsender", KorrespondansepartNavn: nonEmpty(opt.Org, unit), AdministrativEnhet: it.Unit, Saksbehandler: it.CreatedBy},
				{Korrespondanseparttype: "Mottaker", KorrespondansepartNavn: "Allmennheten (" + PlatformName(it.Platform) + ")"},
			},
		}
		m := saksmappe{Type: "saksmappe", SystemID: mappeID, MappeID: it.Case, Tittel: title, OffentligTittel: public,
			OpprettetDato: created, OpprettetAv: it.CreatedBy, Registrering: []journalpost{jp},
			Saksdato: published, AdministrativEnhet: unit, Saksansvarlig: it.CreatedBy, Saksstatus: "Under behandling"}
		if sm := caseNumber.FindStringSubmatch(it.Case); sm != nil {
			m.Saksaar, _ = strconv.Atoi(sm[1])
			m.Sakssekvensnummer, _ = strconv.Atoi(sm[2])
		}
		msg.Mappe = append(msg.Mappe, m)
	}
	msg.AntallFiler = len(files)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(msg); err != nil {
		return nil, fmt.Errorf("noark: %w", err)
	}
	buf.WriteByte('\n')
	return &Export{XML: buf.Bytes(), Files: files}, nil
}

func nonEmpty(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	if strings.TrimSpace(b) != "" {
		return b
	}
	return "Ukjent virksomhet"
}

// WriteZip writes the export as a zip: arkivmelding.xml and the files.
func (e *Export) WriteZip(w io.Writer) error {
	zw := zip.NewWriter(w)
	write := func(name string, data []byte) error {
		f, err := zw.Create(name)
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		return err
	}
	if err := write("arkivmelding.xml", e.XML); err != nil {
		return err
	}
	for _, f := range e.Files {
		if err := write(f.Name, f.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}

var oslo = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Oslo"); err == nil {
		return l
	}
	return time.FixedZone("CET", 3600)
}()

var docTemplate = template.Must(template.New("doc").Parse(`<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
</head>
<body>
<h1>{{.Title}}</h1>
<p>Publisert på {{.Platform}} {{.Published}} av {{.Unit}}: <a href="{{.URL}}">{{.URL}}</a></p>
{{if .Case}}<p>Saksnummer: {{.Case}}</p>{{end}}
{{if .Deadline}}<p>Frist for innspill: {{.Deadline}}</p>{{end}}
{{if .Masked}}<p>Offentlig kopi: navn på personer som har kommentert, er skjermet.</p>{{end}}
<h2>Innlegget</h2>
{{range .Text}}<p>{{.}}</p>
{{end}}
<h2>Kommentarer ({{len .Comments}})</h2>
{{if .Comments}}<ol>
{{range .Comments}}<li>
<p><strong>{{.Author}}</strong>{{if .At}} · {{.At}}{{end}}</p>
{{range .Text}}<p>{{.}}</p>
{{end}}<p><small>Hentet {{.Captured}}</small></p>
</li>
{{end}}</ol>{{else}}<p>Ingen kommentarer var synlige da innlegget ble lagret.</p>{{end}}
</body>
</html>
`))

// document renders the thread as one HTML document; masked masks the
// commenters' names, in the comments and wherever they are repeated.
func document(it *server.JournalItem, masked bool) ([]byte, error) {
	type comment struct {
		Author, At, Captured string
		Text                 []string
	}
	authors := make([]string, 0, len(it.Comments))
	for _, c := range it.Comments {
		authors = append(authors, c.Author)
	}
	text := func(s string) []string {
		if masked {
			s = MaskNames(s, authors)
		}
		return paragraphs(s)
	}
	cs := make([]comment, 0, len(it.Comments))
	for _, c := range it.Comments {
		a := c.Author
		if masked {
			a = maskAll(a)
		}
		cs = append(cs, comment{Author: a, At: c.At, Captured: c.CapturedAt.In(oslo).Format("2006-01-02 15:04"), Text: text(c.Text)})
	}
	data := struct {
		Title, Platform, Published, Unit, URL, Case, Deadline string
		Masked                                                bool
		Text                                                  []string
		Comments                                              []comment
	}{it.Title, PlatformName(it.Platform), it.PublishedAt.In(oslo).Format("2006-01-02 15:04"), it.Unit, it.URL, it.Case,
		it.Deadline, masked, paragraphs(it.Text), cs}
	if masked {
		data.Title = MaskNames(it.Title, authors)
	}
	var buf bytes.Buffer
	if err := docTemplate.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("noark: document: %w", err)
	}
	return buf.Bytes(), nil
}

// paragraphs splits text at blank lines; single line breaks stay.
func paragraphs(s string) []string {
	var ps []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			ps = append(ps, p)
		}
	}
	return ps
}

// MaskNames masks the personal names in s: every word of a name in known
// (the commenters), and a common given name (the engine's list) together
// with the capitalised words that follow it (the surname). Each masked
// word keeps its first letter: «Kari Nordmann» → «K*** N******».
func MaskNames(s string, known []string) string {
	parts := map[string]bool{}
	for _, k := range known {
		for _, w := range words(k) {
			if utf8.RuneCountInString(w) >= 2 && isCap(w) {
				parts[w] = true
			}
		}
	}
	var b strings.Builder
	ws := wordSpans(s)
	last, inName := 0, false
	for i, sp := range ws {
		w := s[sp[0]:sp[1]]
		mask := false
		switch {
		case parts[w]:
			mask = true
		case isCap(w) && engine.IsGivenName(w):
			mask = true
		case inName && isCap(w) && i > 0 && strings.TrimSpace(s[ws[i-1][1]:sp[0]]) == "":
			mask = true // a surname after a masked name
		}
		inName = mask
		b.WriteString(s[last:sp[0]])
		if mask {
			b.WriteString(maskWord(w))
		} else {
			b.WriteString(w)
		}
		last = sp[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// maskAll masks every word of s.
func maskAll(s string) string {
	var b strings.Builder
	last := 0
	for _, sp := range wordSpans(s) {
		b.WriteString(s[last:sp[0]])
		b.WriteString(maskWord(s[sp[0]:sp[1]]))
		last = sp[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

func maskWord(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	return string(r) + strings.Repeat("*", utf8.RuneCountInString(w[n:]))
}

func isCap(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

func words(s string) []string {
	var ws []string
	for _, sp := range wordSpans(s) {
		ws = append(ws, s[sp[0]:sp[1]])
	}
	return ws
}

// wordSpans returns the byte spans of the words of s: runs of letters and
// digits, with inner hyphens and apostrophes.
func wordSpans(s string) [][2]int {
	var spans [][2]int
	start := -1
	for i, r := range s {
		in := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		if !in && start >= 0 && (r == '-' || r == '\'') {
			if j := i + 1; j < len(s) {
				if next, _ := utf8.DecodeRuneInString(s[j:]); unicode.IsLetter(next) {
					continue
				}
			}
		}
		if in && start < 0 {
			start = i
		} else if !in && start >= 0 {
			spans = append(spans, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		spans = append(spans, [2]int{start, len(s)})
	}
	return spans
}
