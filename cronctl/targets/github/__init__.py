"""The github target: one GitHub Actions workflow per job (`on: schedule`)."""
