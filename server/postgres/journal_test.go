package postgres_test

import (
	"testing"

	"github.com/postvakt/postvakt/server/storetest"
)

func TestJournalContract(t *testing.T) {
	MustSchema(t) // skips at once without POSTVAKT_TEST_POSTGRES
	storetest.RunJournal(t, func(t *testing.T) storetest.JournalStore { return MustOpenDB(t) })
}
