"""The people notifications reach: a directory kept by admins or imported from the identity provider."""
