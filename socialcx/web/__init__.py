"""The team's workspace in the browser: the inbox, incidents, mentions, KPIs, trends and status,
server-rendered (jinja2, autoescaped) over the same care functions the CLI calls.

`make_app` builds the aiohttp application; `serve` runs it until stopped (`socialcx web`, and
`socialcx run` when `[web] enabled = true`). People sign in as the users `socialcx user add` made
(`socialcx.web.users`); sessions, CSRF tokens, the login throttle and the security headers are in
`socialcx.web.security`.
"""

from __future__ import annotations

from socialcx.web.server import make_app, serve, start

__all__ = ["make_app", "serve", "start"]
