"""An investor's capital account in one fund: the page, and its CSV and PDF statements.

Every figure is the stored capital account (portfolio/models/progress.py) of the latest date on or before
the one asked for, written by the progress engine; nothing here sums the ledger into a figure. The list of
calls, payments and distributions is read from the ledger, dated on or before that same stored date, so the
lines and the figures describe one moment.
"""
