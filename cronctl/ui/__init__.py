"""`cronctl ui`: a web dashboard over every job of schedules.yaml, on every target.

    server.py    the options, the host rule (loopback, TLS or --insecure-public), uvicorn
    app.py       the Starlette app: every route, the static files, the error handlers
    web.py       what pages share: sessions, roles, CSRF, security headers, sanitised errors
    auth.py      tokens (CRONCTL_UI_TOKENS or a file) -> users and roles; sessions; rate limits
    audit.py     who did what and when, appended to .cronctl/ui-audit.log (never a secret)
    board.py     what the pages show, read through the Target interface and the engine only,
                 cached between refreshes
    summary.py   a job's runs -> success rate, durations, streak, sparkline (pure)
    pages.py     the read views (HTML and /api JSON, the CLI's --json shapes)
    controls.py  run now, pause, resume, dead letters: the operator's buttons
    editor.py    the schedule editor's pages: preview (next runs, diff, plan), apply
    spanedit.py  schedule/timezone/enabled changed in the file's text, every other byte kept
    plan.py      the plan page and its apply button
    filters.py   how times, durations and rates are shown (and scrubbed) in templates

Nothing here names a provider: a target's jobs appear because `engine.targets()` lists it.
"""
