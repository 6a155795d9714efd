"""Where scheduled jobs run: one module (or package) per target."""
