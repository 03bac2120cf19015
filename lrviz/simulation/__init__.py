"""Stepping real schedulers over a dummy optimizer: Curves, the Schedule driver, workers."""
