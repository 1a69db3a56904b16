package lexicon_test

import (
	"fmt"

	"github.com/postvakt/postvakt/shared/lexicon"
)

func ExampleForms() {
	// Every form in bokmål and nynorsk, irregular ones included.
	forms, ok := lexicon.Forms("mann")
	fmt.Println(ok, forms)

	// A part of speech narrows the forms: the noun «skade», not the verb.
	forms, _ = lexicon.Forms("skade/n")
	fmt.Println(forms)

	// Lemmas not in lemmas.txt are unknown.
	_, ok = lexicon.Forms("kvinne")
	fmt.Println(ok)
	// Output:
	// true [mann mannen mannens manns menn mennene mennenes menner menners menns]
	// [skadane skadanes skadar skadars skade skaden skadene skadenes skadens skader skaders skades]
	// false
}
