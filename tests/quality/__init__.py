"""Matching-quality tests: known name pairs, and the labelled-pairs benchmark as a regression guard."""
