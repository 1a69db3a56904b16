package redact_test

import (
	"fmt"

	"github.com/postvakt/postvakt/shared/redact"
)

func ExampleMask() {
	fmt.Println(redact.Mask("pii.national_id", "01019012345"))
	fmt.Println(redact.Mask("pii.email", "kari.nordmann@gmail.com"))
	fmt.Println(redact.Mask("pii.address", "Heiaveien 7"))
	// Output:
	// 01******345
	// k***@gmail.com
	// H******** *
}
