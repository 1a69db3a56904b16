package detect

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// The generated part of the labelled suite (testdata/numbers/generated.jsonl)
// is written by
//
//	go test ./shared/detect -run TestGenerateSuite -gensuite
//
// Its labels come from how each number was made (a fødselsnummer built
// from a date, an account from a bank's register number, a card from an
// issuer's prefix), never from the finders, and the texts put them in the
// written forms and sentences posts use. The seed is fixed, so the file
// only changes when this generator does.
var genSuite = flag.Bool("gensuite", false, "rewrite testdata/numbers/generated.jsonl")

// suiteCase is one labelled text: what a Norwegian reader sees in it.
type suiteCase struct {
	Text string `json:"text"`
	// Year is the year of the check; 0 means 2026.
	Year int `json:"year,omitempty"`
	// Want lists every finding: the rule and the text it covers.
	Want []suiteWant `json:"want"`
	Note string      `json:"note,omitempty"`
}

type suiteWant struct {
	Rule string `json:"rule"` // national_id, bank_account, payment_card or phone
	Text string `json:"text"`
}

type gen struct {
	r     *rand.Rand
	cases []suiteCase
}

func (g *gen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }

func (g *gen) digits(n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + g.r.IntN(10)))
	}
	return b.String()
}

func (g *gen) add(note, text string, year int, want ...suiteWant) {
	g.cases = append(g.cases, suiteCase{Text: text, Year: year, Want: want, Note: note})
}

// birth returns nine digits (date and individnummer) of a person born on a
// random date from 1900 to 2025, with the individnummer of the century.
func (g *gen) birth() string {
	for {
		y := 1900 + g.r.IntN(126)
		m := 1 + g.r.IntN(12)
		d := 1 + g.r.IntN(daysIn(m, y))
		var ind int
		if y < 2000 {
			ind = g.r.IntN(500)
		} else {
			ind = 500 + g.r.IntN(500)
		}
		return fmt.Sprintf("%02d%02d%02d%03d", d, m, y%100, ind)
	}
}

// classicID returns a valid fødselsnummer made from nine digits, adding
// dayOff and monthOff (D-, H- and Tenor numbers), or "".
func classicID(nine string, dayOff, monthOff int) string {
	day := int(nine[0]-'0')*10 + int(nine[1]-'0') + dayOff
	month := int(nine[2]-'0')*10 + int(nine[3]-'0') + monthOff
	return fnr(fmt.Sprintf("%02d%02d%s", day, month, nine[4:]))
}

// bankPrefixes are register numbers of Norwegian banks (the first four
// digits of an account).
var bankPrefixes = []string{"1503", "1506", "1594", "1607", "1644", "1822", "2050", "2801", "3000", "3201", "3610", "4200", "4202", "4312", "5082", "6345", "7874", "8601", "9235", "9365", "9710", "1254", "0530", "2220", "3910", "4730", "6222"}

func (g *gen) account() string {
	for {
		if a := account(g.pick(bankPrefixes...) + g.digits(6)); a != "" {
			return a
		}
	}
}

// idForms writes an 11-digit number in the forms fødselsnumre are written in.
func idForms(n string) []string {
	return []string{
		n,
		n[:6] + " " + n[6:],
		n[:6] + "-" + n[6:],
		n[:6] + "." + n[6:],
		n[:6] + " - " + n[6:],
		n[:6] + " – " + n[6:],
		n[:6] + "/" + n[6:],
		n[:6] + " " + n[6:9] + " " + n[9:],
		n[:4] + " " + n[4:],
		n[:3] + " " + n[3:6] + " " + n[6:9] + " " + n[9:],
		n[:2] + "." + n[2:4] + "." + n[4:6] + " " + n[6:],
		n[:2] + " " + n[2:4] + " " + n[4:6] + " " + n[6:],
	}
}

func accountForms(n string) []string {
	return []string{n, n[:4] + "." + n[4:6] + "." + n[6:], n[:4] + " " + n[4:6] + " " + n[6:]}
}

var (
	idSentences = []string{
		"Fødselsnummeret hans er %s, kan de sjekke?",
		"Hei, fnr. %s gjelder søknaden min.",
		"Personnummer: %s",
		"Eg sende inn %s i går, det er fødselsnummeret til dottera mi.",
		"Kan dere se på saken til %s?",
		"D-nummeret mitt er %s.",
		"Vi har notert %s som ID.",
	}
	accountSentences = []string{
		"Gaver kan gis til kontonummer %s.",
		"Beløpet betales til konto %s innen fredag.",
		"Pengene overføres til %s.",
		"Kontonr. %s, merk betalingen med navn.",
		"Innsamlingsaksjonen har konto %s.",
	}
	neutral = []string{"Se %s.", "Det gjelder %s.", "Nummeret er %s.", "Vi viser til %s i brevet."}
)

func (g *gen) nationalIDs() {
	kinds := []struct {
		name             string
		dayOff, monthOff int
	}{{"fødselsnummer", 0, 0}, {"D-nummer", 40, 0}, {"H-nummer", 0, 40}, {"Tenor syntetisk", 0, 80}}
	for i := 0; i < 240; i++ {
		k := kinds[i%len(kinds)]
		id := classicID(g.birth(), k.dayOff, k.monthOff)
		if id == "" {
			continue
		}
		forms := idForms(id)
		f := forms[g.r.IntN(len(forms))]
		text := fmt.Sprintf(g.pick(idSentences...), f)
		g.add(k.name+" in a written form", text, 0, suiteWant{"national_id", f})
	}
	// FH-numbers: no date, classic check digits.
	for i := 0; i < 20; i++ {
		id := fnr(g.pick("8", "9") + g.digits(8))
		if id == "" {
			continue
		}
		f := idForms(id)[g.r.IntN(2)]
		g.add("FH-nummer", fmt.Sprintf(g.pick(idSentences...), f), 0, suiteWant{"national_id", f})
	}
	// One digit wrong after a word that names the number: still one to a reader.
	for i := 0; i < 30; i++ {
		id := classicID(g.birth(), 0, 0)
		if id == "" {
			continue
		}
		k := 6 + g.r.IntN(5)
		bad := id[:k] + string(rune('0'+(int(id[k]-'0')+1+g.r.IntN(8))%10)) + id[k+1:]
		f := idForms(bad)[g.r.IntN(3)]
		g.add("a check digit wrong after «fødselsnummeret»", "Fødselsnummeret er "+f+".", 0, suiteWant{"national_id", f})
	}
	// Month+65 is no scheme: such a number is only the account it also is.
	for i := 0; i < 20; i++ {
		id := classicID(g.birth(), 0, 65)
		if id == "" {
			continue
		}
		g.add("month+65 is no published scheme", "Til "+id+" i dag.", 0, suiteWant{"bank_account", id})
	}
	// Valid only under the 2032 rule.
	for i := 0; i < 80; i++ {
		id := with2032(g.birth())
		if id == "" || nationalID(digitsOf(id)) != id2032 {
			continue
		}
		switch i % 4 {
		case 0: // before 2032, plain, no word: the account it is
			g.add("2032 rule, before 2032, plain", fmt.Sprintf(g.pick(neutral...), id), 2026, suiteWant{"bank_account", id})
		case 1: // from 2032: a fødselsnummer
			g.add("2032 rule, in 2032", fmt.Sprintf(g.pick(neutral...), id), 2032, suiteWant{"national_id", id})
		case 2: // a word names it
			g.add("2032 rule, named", "Fødselsnummeret "+id+" er nytt.", 2026, suiteWant{"national_id", id})
		case 3: // written as a fødselsnummer
			f := id[:6] + " " + id[6:]
			g.add("2032 rule, written 6+5", "Gjelder "+f+".", 2026, suiteWant{"national_id", f})
		}
	}
}

func digitsOf(s string) *[maxDigits]byte {
	var d [maxDigits]byte
	copy(d[:], s)
	return &d
}

func (g *gen) accounts() {
	for i := 0; i < 200; i++ {
		a := g.account()
		forms := accountForms(a)
		f := forms[g.r.IntN(len(forms))]
		if f == a && g.r.IntN(2) == 0 {
			// Plain, no word in front: an account unless it also reads
			// as a fødselsnummer by the classic rule, which a reader
			// cannot tell apart; those are left out.
			if nationalID(digitsOf(a)) == idClassic {
				continue
			}
			g.add("account, plain", fmt.Sprintf(g.pick(neutral...), a), 0, suiteWant{"bank_account", a})
			continue
		}
		g.add("account", fmt.Sprintf(g.pick(accountSentences...), f), 0, suiteWant{"bank_account", f})
	}
	// Accounts that also read as fødselsnumre by the classic rule, where
	// the sentence says money goes to them.
	for n := 0; n < 40; {
		a := g.account()
		if nationalID(digitsOf(a)) != idClassic {
			continue
		}
		n++
		text := fmt.Sprintf(g.pick("Gaver kan gis til %s.", "Pengene overføres til %s innen fredag.", "Betal 300 kr til %s.", "Innsamlingen: %s"), a)
		g.add("account that also reads as a fødselsnummer, in a payment", text, 0, suiteWant{"bank_account", a})
		id := ""
		for id == "" {
			id = classicID(g.birth(), 0, 0)
		}
		g.add("fødselsnummer named in a payment sentence", "Betal 300 kr og oppgi fødselsnummer "+id+".", 0, suiteWant{"national_id", id})
	}
	// Norwegian IBAN, spaced and together.
	for i := 0; i < 30; i++ {
		a := g.account()
		ib := norIBAN(a)
		f := ib
		if i%2 == 0 {
			f = ib[:4] + " " + ib[4:8] + " " + ib[8:12] + " " + ib[12:]
		}
		g.add("Norwegian IBAN", "IBAN: "+f+", BIC DNBANOKKXXX.", 0, suiteWant{"bank_account", f})
	}
}

// norIBAN returns the IBAN of a Norwegian account number.
func norIBAN(acct string) string {
	return "NO" + ibanCheck("NO", acct) + acct
}

// ibanCheck computes the two check digits of an IBAN (ISO 13616).
func ibanCheck(cc, bban string) string {
	rem := 0
	for _, c := range bban + cc + "00" {
		if c >= 'A' && c <= 'Z' {
			rem = (rem*100 + int(c-'A') + 10) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return fmt.Sprintf("%02d", 98-rem)
}

func (g *gen) phones() {
	labels := []string{"Ring %s", "Tlf. %s", "Mobil: %s", "Ring Kari på %s", "nås på %s", "Send SMS til %s", "Kontakt oss på %s", "Telefonnummeret er %s", "Du kan også ringe %s", "(%s)"}
	for i := 0; i < 300; i++ {
		first := g.pick("4", "9", "9", "2", "3", "5", "6", "7")
		n := first + g.digits(7)
		if isDate8([]byte(n)) || isYear([]byte(n[:4])) && isYear([]byte(n[4:])) {
			continue
		}
		var f string
		switch g.r.IntN(8) {
		case 0:
			f = n
		case 1, 2:
			f = n[:3] + " " + n[3:5] + " " + n[5:]
		case 3:
			f = n[:2] + " " + n[2:4] + " " + n[4:6] + " " + n[6:]
		case 4:
			f = n[:4] + " " + n[4:]
		case 5:
			f = "+47 " + n[:3] + " " + n[3:5] + " " + n[5:]
		case 6:
			f = "+47" + n
		case 7:
			f = "0047 " + n[:2] + " " + n[2:4] + " " + n[4:6] + " " + n[6:]
		}
		g.add("phone", fmt.Sprintf(g.pick(labels...), f)+".", 0, suiteWant{"phone", f})
	}
	// Two numbers joined by a slash, a number after a room number.
	for i := 0; i < 30; i++ {
		a, b := g.pick("4", "9")+g.digits(7), g.pick("2", "5", "9")+g.digits(7)
		g.add("two phones joined by a slash", "Tlf. "+a+"/"+b, 0, suiteWant{"phone", a}, suiteWant{"phone", b})
		c := g.pick("4", "9") + g.digits(7)
		f := c[:3] + " " + c[3:5] + " " + c[5:]
		room := fmt.Sprint(100 + g.r.IntN(400))
		g.add("a phone after a room number", "Rom "+room+" "+f+".", 0, suiteWant{"phone", f})
	}
	// Reference numbers after labels: never phones.
	refs := []string{"Bestillingsnr.", "Medlemsnummer", "Art.nr.", "Journalpost", "Vedtak nr.", "Ordrenummer", "Lisensnr.", "Billett-ID", "Rabattkode", "Kundenummer", "Avtalenummer", "Sporingsnummer", "Referansenr.", "Deres ref.", "Sak nr.", "Dokumentnr.", "Løpenummer", "Serienummer"}
	for i := 0; i < 150; i++ {
		n := g.pick("4", "9", "2", "5") + g.digits(7)
		g.add("reference after a label", g.pick(refs...)+" "+n, 0)
		if i%3 == 0 {
			g.add("code with a prefix", g.pick("ABC", "INV", "NO-ORD", "REF")+"-"+n, 0)
		}
	}
	// Prices, dates and organisation numbers.
	for i := 0; i < 40; i++ {
		g.add("price", fmt.Sprintf("Prosjektet koster %d %03d %03d kroner.", 10+g.r.IntN(89), g.r.IntN(1000), g.r.IntN(1000)), 0)
		g.add("date", fmt.Sprintf("Møtet er %02d.%02d.20%02d kl. 18.00.", 1+g.r.IntN(28), 1+g.r.IntN(12), 20+g.r.IntN(10)), 0)
		g.add("organisation number", "Org.nr. "+"9"+g.digits(2)+" "+g.digits(3)+" "+g.digits(3), 0)
	}
}

// cardPrefixes are issuer prefixes with a card length.
var cardPrefixes = []struct {
	prefix string
	n      int
}{
	{"4", 16}, {"4", 16}, {"51", 16}, {"55", 16}, {"2221", 16}, {"2720", 16}, {"34", 15}, {"37", 15},
	{"6011", 16}, {"65", 16}, {"3530", 16}, {"36", 14}, {"6759", 16}, {"62", 16}, {"2200", 16}, {"2204", 16},
	{"60", 16}, {"81", 16}, {"82", 16}, {"508", 16}, {"4", 19},
}

func (g *gen) luhnNumber(prefix string, n int) string {
	body := prefix + g.digits(n-1-len(prefix))
	for c := '0'; c <= '9'; c++ {
		if luhn([]byte(body + string(c))) {
			return body + string(c)
		}
	}
	panic("no Luhn digit")
}

func groups4(n, sep string) string {
	var parts []string
	for i := 0; i < len(n); i += 4 {
		parts = append(parts, n[i:min(i+4, len(n))])
	}
	return strings.Join(parts, sep)
}

func (g *gen) cards() {
	sentences := []string{"Kortnummeret er %s.", "Jeg betalte med kortet %s i går.", "Visa %s utløper snart.", "Kort: %s", "Kan dere sperre %s?"}
	for i := 0; i < 300; i++ {
		p := cardPrefixes[g.r.IntN(len(cardPrefixes))]
		n := g.luhnNumber(p.prefix, p.n)
		var f string
		switch {
		case p.n == 15 && g.r.IntN(2) == 0:
			f = n[:4] + " " + n[4:10] + " " + n[10:]
		case p.n == 16 && g.r.IntN(6) == 0:
			f = n[:4] + " " + n[4:12] + " " + n[12:]
		default:
			f = [...]string{n, groups4(n, " "), groups4(n, "-"), groups4(n, ".")}[g.r.IntN(4)]
		}
		g.add("card", fmt.Sprintf(g.pick(sentences...), f), 0, suiteWant{"payment_card", f})
	}
	// Not cards: foreign IBANs, longer numbers, KIDs, labelled references.
	for i := 0; i < 40; i++ {
		cc, bban := g.pick("DE", "GB", "FR", "SE", "DK", "NL", "FI", "ES"), ""
		switch cc {
		case "DE":
			bban = g.digits(18)
		case "GB":
			bban = "NWBK" + g.digits(14)
		case "FR":
			bban = g.digits(23)
		case "SE", "ES":
			bban = g.digits(20)
		case "DK", "FI":
			bban = g.digits(14)
		case "NL":
			bban = "ABNA" + g.digits(10)
		}
		ib := cc + ibanCheck(cc, bban) + bban
		f := groups4(ib, " ")
		g.add("foreign IBAN", "Send pengene til IBAN "+f+" i Tyskland.", 0, suiteWant{"bank_account", f})
	}
	for i := 0; i < 60; i++ {
		n := g.luhnNumber("4", 16)
		extra := g.digits(1 + 2*(i%2)) // 17 or 19 digits
		if luhn([]byte(n + extra)) {
			continue // a valid 19-digit Visa is a card
		}
		g.add("a longer number is not cut to a card", "Referanse "+groups4(n+extra, " ")+".", 0)
		g.add("a longer number is not cut to a card", "Nummer "+groups4(n+extra, " ")+" er registrert.", 0)
		kid := g.luhnNumber(g.pick("4", "5", "6"), 16)
		acct := accountForms(g.account())[1]
		g.add("a KID without the word", "Betal 450 kr til konto "+acct+" og merk innbetalingen med "+kid+".", 0, suiteWant{"bank_account", acct})
		g.add("labelled reference", g.pick("Sporingsnummer", "Avtalenummer", "Forsendelsesnr.", "Lisensnøkkel-ID")+" "+g.luhnNumber("4", 16), 0)
	}
}

// generateSuite returns the generated part of the suite as JSON Lines.
func generateSuite(t *testing.T) string {
	t.Helper()
	g := &gen{r: rand.New(rand.NewPCG(11, 2032))}
	g.nationalIDs()
	g.accounts()
	g.phones()
	g.cards()
	var b strings.Builder
	for _, c := range g.cases {
		line, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestGenerateSuite(t *testing.T) {
	const name = "testdata/numbers/generated.jsonl"
	suite := generateSuite(t)
	if !*genSuite {
		// The generator uses the check-digit functions to build numbers
		// and to leave out plain numbers no reader can tell apart, so a
		// change to them may change the suite: it must then be rewritten
		// and reviewed.
		if old, err := os.ReadFile(name); err != nil || string(old) != suite {
			t.Fatalf("%s is not what the generator writes; run go test ./shared/detect -run TestGenerateSuite -gensuite and review the diff", name)
		}
		return
	}
	if err := os.WriteFile(name, []byte(suite), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d lines", strings.Count(suite, "\n"))
}
