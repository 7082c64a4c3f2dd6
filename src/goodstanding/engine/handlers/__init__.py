"""The fold's handlers: one module per family of events, each ending in its table
`HANDLERS = {EventType: Handler}` (merged by `goodstanding.engine.registry`)."""
