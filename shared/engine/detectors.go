package engine

// Each built-in detector lives in a file of its own: numbers.go (national
// ids, cards, accounts, phones and e-mail, all found by shared/detect),
// address.go, sensitive.go and signature.go. TestDetectorRunners checks
// that every detector a bundle may name has a runner here.

// detectorRunners maps the built-in detector names (rules.Detectors) to code.
var detectorRunners = map[string]func(*state, *crule){
	"national_id":  runNationalID,
	"payment_card": runPaymentCard,
	"bank_account": runBankAccount,
	"phone":        runPhone,
	"email":        runEmail,
	"address":      runAddress,
	"sensitive":    runSensitive,
	"signature":    runSignature,
}
