"""The platform's shared library: what every service needs, done the same way."""
