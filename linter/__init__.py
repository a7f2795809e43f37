"""dockerslim-lint: static analysis for Dockerfiles that makes runtime images small and hard to attack."""

__version__ = "0.1.0"
