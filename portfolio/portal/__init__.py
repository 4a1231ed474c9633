"""The investor portal: the "My funds" home, the fund progress page and the film page.

Every figure comes from the stored progress snapshot and the capital accounts written with it (through
`portfolio.selectors` and `reads.py`); nothing here sums the ledger.
"""
