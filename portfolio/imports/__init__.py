"""Imports of history (projects, tranche schedules, disbursements) from CSV or XLSX through the write
services, with a dry-run preview and an all-or-nothing commit; and the fund's ledger exported."""
