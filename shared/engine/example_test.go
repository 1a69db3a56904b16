package engine_test

import (
	"fmt"

	"github.com/postvakt/postvakt/shared/draft"
	"github.com/postvakt/postvakt/shared/engine"
	"github.com/postvakt/postvakt/shared/rules"
)

func Example() {
	e, err := engine.New(rules.Builtin())
	if err != nil {
		panic(err)
	}
	rep := e.Check(draft.Draft{
		ID:       "d-17",
		Text:     "Hei! Ring vaktmester Ivar på 912 34 567. Hilsen Kari, servicetorget",
		Platform: "facebook",
		Kind:     "reply",
	}, engine.Options{Lang: "nb"})
	fmt.Println(rep.Verdict)
	for _, f := range rep.Findings {
		fmt.Printf("%s %d:%d %s %s\n", f.Rule, f.Start, f.End, f.Severity, f.Excerpt)
	}
	// Output:
	// warn
	// pii.phone 29:39 warn 91* ** 567
}
