"""Delivering a digest: by email (SMTP, the standard library) or to a webhook (the
fetch's HTTP client), with the Markdown rendered as HTML or chat markup."""
