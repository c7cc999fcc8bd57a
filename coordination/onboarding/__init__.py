"""Onboarding: a province's agencies and users loaded from the spreadsheet it already has (issue 15)."""
