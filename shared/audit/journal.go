package audit

// Actions the server records for journalføring (issue #14). They are kept
// in a file of their own and added to AllActions at start-up.
const (
	// ActionJournalExported records an arkivmelding export of journal
	// items; the reason names them.
	ActionJournalExported = "journal_exported"
	// ActionJournalFiled records that the archive journaled an item.
	ActionJournalFiled = "journal_filed"
	// ActionJournalHold records a legal hold set on or lifted from an item.
	ActionJournalHold = "journal_hold"
	// ActionJournalPruned records that journaled items older than the
	// retention period were deleted; the reason states the cutoff.
	ActionJournalPruned = "journal_pruned"
)

func init() {
	AllActions = append(AllActions, ActionJournalExported, ActionJournalFiled, ActionJournalHold, ActionJournalPruned)
}
