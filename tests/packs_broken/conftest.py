"""The broken packs are data for tests/test_lint.py; their scenario files are not tests to run."""

collect_ignore_glob = ["*/tests/*"]
