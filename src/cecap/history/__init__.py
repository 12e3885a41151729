"""History step: the SQLite store of recorded runs, its lock, and where it lives."""
