"""The Spec model and its readers: flags, YAML, Python dicts; validation with key paths."""
