"""The HTTP lookup API (app.py) and its lookup-event spool (events.py); `screening serve` (jobs/serve.py) runs it."""
