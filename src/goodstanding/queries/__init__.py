"""The read side: what the CLI (and the HTTP service) show, as plain data; never prints.

Each module answers one kind of question over a `Store`: an account's standing and its
explanation, a group, the community summary, the moderation queues and reports, a person's
own data, the decisions due process states reasons for. Unknown ids raise `NotFound`.
"""
