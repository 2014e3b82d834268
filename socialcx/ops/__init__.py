"""Operations: what tells people how the monitor and the conversation are doing. Alert, digest and
silent-watch mail with its charts, health and metrics, `socialcx status`, logs, and the analytics
behind the notebooks."""
