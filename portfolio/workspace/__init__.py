"""The manager workspace under /manage/: the pages fund managers run their fund from.

Every view here is thin: it resolves the fund through `access.managed_fund` (a fund the user does not
manage answers 404), reads through selectors and writes only through `portfolio.services`, showing a
service's refusal beside the field it names.
"""
