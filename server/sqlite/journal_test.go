package sqlite_test

import (
	"testing"

	"github.com/postvakt/postvakt/server/storetest"
)

func TestJournalContract(t *testing.T) {
	storetest.RunJournal(t, func(t *testing.T) storetest.JournalStore { return MustOpenDB(t) })
}
