"""Authentication: password hashes, opaque tokens, sign-in throttling."""
