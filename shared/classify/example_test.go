package classify_test

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/postvakt/postvakt/shared/classify"
)

func Example() {
	// An organisation's own labelled sentences, folded as the engine folds
	// drafts (lower case, NFC).
	var samples []classify.Sample
	for _, s := range []struct{ label, text string }{
		{"politics.opinion", "Stem Høyre ved valget"},
		{"politics.opinion", "Regjeringa burde gå av"},
		{"politics.opinion", "Eg stemmer Ap ved valet"},
		{"politics.opinion", "Regjeringen svikter velgerne"},
		{"none", "Velkommen til sommerfest på fredag 🎉"},
		{"none", "Kantina serverer taco i dag"},
		{"none", "Biblioteket har ope til klokka 20"},
		{"none", "Takk til alle som kom på dugnaden 👏"},
	} {
		samples = append(samples, classify.Sample{Text: strings.ToLower(s.text), Label: s.label})
	}
	m, err := classify.Train(samples, classify.TrainOptions{Dim: 1 << 16})
	if err != nil {
		panic(err)
	}

	// The JSON form travels in a rule bundle; Decode checks it.
	enc, _ := m.Encode()
	js, _ := json.Marshal(enc)
	var back classify.Encoded
	if err := json.Unmarshal(js, &back); err != nil {
		panic(err)
	}
	m, err = classify.Decode(back)
	if err != nil {
		panic(err)
	}

	var s classify.Scratch // reused for every sentence, so Predict allocates nothing
	for _, text := range []string{"regjeringa må gå av ved valet", "sommerfest i kantina på fredag"} {
		class, _ := m.Predict(text, &s)
		fmt.Println(class)
	}
	// Output:
	// politics.opinion
	// none
}
