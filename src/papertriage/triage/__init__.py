"""`papertriage triage`: the inbox, its screens, and notes in $EDITOR."""
