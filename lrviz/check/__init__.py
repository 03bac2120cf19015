"""Findings over a Spec and its Curves: the rules behind `lrviz check` and the warnings."""
