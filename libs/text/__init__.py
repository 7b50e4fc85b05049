"""Rules about text that more than one service applies (names, purposes)."""
