"""Building blocks every sandbox shares: clock, storage, OAuth tokens, rate
limiting, fault injection, the request log, the admin API and the runner CLI."""
